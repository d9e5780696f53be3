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

void SyncScheduler::stop()
{
    m_stopped = true;
    m_timer.stop();
}

QFuture<QVariant> SyncScheduler::claimFiring(qint64 connectionId, const QDateTime &from, const QDateTime &to)
{
    // Through the writer (I5), ahead of queued pages.
    return m_engine->writer()->submitUrgent(
        [=](Catalog &catalog) { return QVariant(catalog.claimScheduleFiring(connectionId, from, to)); });
}

void SyncScheduler::check()
{
    if (!m_catalog || !m_catalog->isOpen() || m_stopped)
        return;
    // Runs of processes that died (a killed worker) become "interrupted", so this or the next check resumes
    // them; the writer does it, this check reads what the last one left.
    m_engine->writer()->submit([](Catalog &catalog) { return QVariant(catalog.markStaleRuns()); });
    const QDateTime now = m_clock();
    for (const ScheduledSync &scheduled : scheduledSyncs(*m_catalog)) {
        if (m_running.size() >= m_maxRunning)
            return; // the next check starts the rest, longest overdue first
        if (scheduled.isDue(now) && !m_running.contains(scheduled.connectionId))
            claimAndStart(scheduled, now);
    }
}

void SyncScheduler::claimAndStart(const ScheduledSync &scheduled, const QDateTime &now)
{
    // Claimed first, so of several workers seeing it due only one starts it; not waited for here, as this
    // thread may be the GUI's and the writer may be waiting out another process's lock. Served, started or
    // not: a connection that cannot start is said once per firing, not every check.
    const qint64 id = scheduled.connectionId;
    m_running.insert(id); // claiming counts against the limit
    claimFiring(id, scheduled.schedule.lastFired, now)
        .then(this, [this, scheduled, now](const QVariant &claimed) {
            if (!claimed.toBool()) { // another worker's
                m_running.remove(scheduled.connectionId);
                return;
            }
            startClaimed(scheduled, now);
        });
}

void SyncScheduler::startClaimed(const ScheduledSync &scheduled, const QDateTime &now)
{
    const qint64 id = scheduled.connectionId;
    const auto connection = m_catalog->connectionById(id);
    QString error;
    SyncRefusal refusal = SyncRefusal::None;
    SyncJob *job =
        connection && !m_stopped ? m_engine->startSync(*connection, m_options, &error, &refusal) : nullptr;
    if (!job && (!connection || m_stopped || refusal == SyncRefusal::AlreadySyncing)) {
        claimFiring(id, now, scheduled.schedule.lastFired); // stays due; never a second run of one connection
        m_running.remove(id);
        return;
    }
    if (!job) {
        // Ended before it began: the worker's log says so as it says any other end.
        m_running.remove(id);
        RunSummary refused;
        refused.connectionId = id;
        refused.status = QStringLiteral("failed");
        refused.error = error;
        emit finished(connection->name, refused);
        emit failed(connection->name, error);
        return;
    }
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
