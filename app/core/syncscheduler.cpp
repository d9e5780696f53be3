#include "syncscheduler.h"

#include "catalog.h"
#include "catalogwriter.h"
#include "syncengine.h"

SyncScheduler::SyncScheduler(SyncEngine *engine, Catalog *catalog, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_catalog(catalog)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    connect(&m_timer, &QTimer::timeout, this, &SyncScheduler::check);
}

void SyncScheduler::start(int intervalMs)
{
    m_timer.start(intervalMs);
    QTimer::singleShot(0, this, &SyncScheduler::check); // a run missed while closed: caught up once
}

bool SyncScheduler::claimFiring(qint64 connectionId, const QDateTime &from, const QDateTime &to)
{
    // Through the writer (I5), ahead of queued pages: this thread waits for at most the commit in progress.
    QFuture<QVariant> claimed = m_engine->writer()->submitUrgent(
        [=](Catalog &catalog) { return QVariant(catalog.claimScheduleFiring(connectionId, from, to)); });
    claimed.waitForFinished();
    return claimed.result().toBool();
}

void SyncScheduler::check()
{
    if (!m_catalog || !m_catalog->isOpen())
        return;
    // Runs of processes that died (a killed worker) become "interrupted", so this or the next check resumes
    // them; the writer does it, this check reads what the last one left.
    m_engine->writer()->submit([](Catalog &catalog) { return QVariant(catalog.markStaleRuns()); });
    const QDateTime now = m_clock();
    for (const ScheduledSync &scheduled : scheduledSyncs(*m_catalog)) {
        if (m_running.size() >= m_maxRunning)
            return; // the next check starts the rest, longest overdue first
        if (!scheduled.isDue(now) || m_running.contains(scheduled.connectionId))
            continue;
        const auto connection = m_catalog->connectionById(scheduled.connectionId);
        if (!connection)
            continue;
        // Served, started or not: a connection that cannot start is said once per firing, not every check.
        // Claimed first, so of several workers seeing it due only one starts it.
        const qint64 id = connection->id;
        const QDateTime before = scheduled.schedule.lastFired;
        if (!claimFiring(id, before, now))
            continue; // another worker's
        QString error;
        SyncRefusal refusal = SyncRefusal::None;
        SyncJob *job = m_engine->startSync(*connection, m_options, &error, &refusal);
        if (!job && refusal == SyncRefusal::AlreadySyncing) {
            claimFiring(id, now, before); // stays due; never a second run of one connection
            continue;
        }
        if (!job) {
            // Ended before it began: the worker's log says so as it says any other end.
            RunSummary refused;
            refused.connectionId = id;
            refused.status = QStringLiteral("failed");
            refused.error = error;
            emit finished(connection->name, refused);
            emit failed(connection->name, error);
            continue;
        }
        m_running.insert(id);
        const QString name = connection->name;
        connect(job, &SyncJob::finished, this, [this, id, name](const RunSummary &summary) {
            m_running.remove(id);
            emit finished(name, summary);
            if (m_running.size() + 1 == m_maxRunning)
                QTimer::singleShot(0, this, &SyncScheduler::check); // a place is free: the next due one

            // Cancelled is what someone chose, not a failure to be told about.
            if (summary.status != QLatin1String("done") && summary.status != QLatin1String("cancelled"))
                emit failed(name, summary.error.isEmpty() ? summary.status : summary.error);
        });
        emit started(id, name, scheduled.nextRun);
    }
}
