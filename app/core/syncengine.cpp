#include "syncengine.h"

#include "catalogdialect.h"
#include "connectorregistry.h"

#include <QFutureWatcher>
#include <QJsonArray>
#include <QSemaphore>
#include <QThread>
#include <QThreadPool>

#include <atomic>

QString SyncOptions::runModeName() const
{
    for (const QString &entity : entities)
        if (modeOf(entity) != modeOf(entities.value(0)))
            return QStringLiteral("mixed");
    return syncModeName(entities.isEmpty() ? mode : modeOf(entities.first()));
}

namespace {
// "customers", "customers and charges", "9 entities (customers, charges, invoices, …)".
QString entityList(const QStringList &entities)
{
    if (entities.size() <= 2)
        return entities.join(QStringLiteral(" and "));
    if (entities.size() == 3)
        return QStringLiteral("%1, %2 and %3").arg(entities.at(0), entities.at(1), entities.at(2));
    return QStringLiteral("%1 entities (%2, …)")
        .arg(entities.size())
        .arg(entities.mid(0, 3).join(QStringLiteral(", ")));
}
} // namespace

QString failureAdvice(FailureKind kind)
{
    switch (kind) {
    case FailureKind::Transient:
        return QStringLiteral("syncing again resumes from the last saved page");
    case FailureKind::Auth:
        return QStringLiteral(
            "fix the connection's key first (Edit in the app, or `mako-connect-cli connections "
            "set-secret NAME`), then sync again");
    case FailureKind::Refused:
        return QStringLiteral(
            "syncing again as it is will fail the same way: change what the error names first");
    case FailureKind::Catalog:
        return QStringLiteral(
            "once the catalog can be written again, syncing again resumes from the last saved "
            "page");
    case FailureKind::None:
        break;
    }
    return {};
}

QString syncModeName(SyncMode mode)
{
    return mode == SyncMode::Incremental ? QStringLiteral("incremental") : QStringLiteral("full");
}

namespace {

// What a failure means for the next try. A 4xx behind an API error (other than 408 and 429) will recur.
FailureKind classify(const ConnectorError &error, const BaseConnector *connector)
{
    switch (error.kind()) {
    case ConnectorError::Kind::Auth:
        return FailureKind::Auth;
    case ConnectorError::Kind::Config:
    case ConnectorError::Kind::Refused:
        return FailureKind::Refused;
    case ConnectorError::Kind::Api: {
        const int status = connector ? connector->lastResponseStatus() : 0;
        return status >= 400 && status < 500 && status != 408 && status != 429 ? FailureKind::Refused
                                                                               : FailureKind::Transient;
    }
    default:
        return FailureKind::Transient;
    }
}

// Which failure decides what people are told when entities failed differently: the one to act on first.
int weight(FailureKind kind)
{
    switch (kind) {
    case FailureKind::Auth:
        return 4;
    case FailureKind::Refused:
        return 3;
    case FailureKind::Catalog:
        return 2;
    case FailureKind::Transient:
        return 1;
    case FailureKind::None:
        break;
    }
    return 0;
}

QString redactWith(QString text, const QStringList &secrets)
{
    for (const QString &secret : secrets) {
        if (secret.size() >= 3)
            text.replace(secret, QStringLiteral("***"));
    }
    return text;
}

QStringList secretValues(const ConnectorMetadata &metadata, const QJsonObject &config)
{
    QStringList values;
    for (const QString &name : metadata.secretFieldNames())
        values.append(config.value(name).toString());
    return values;
}

} // namespace

// One entity of a sync, run start to finish on its own thread: fetch page after page with the connector and
// hand each page, with the FetchState after it, to the catalog writer, so fetching the next page overlaps
// committing the last one and a failure never throws a fetched page away (I1).
class EntityWorker
{
public:
    EntityWorker(SyncJob *job, const ConnectorMetadata &metadata, QString entity,
                 std::optional<EntityState> previous)
        : m_job(job)
        , m_metadata(metadata)
        , m_entity(std::move(entity))
        , m_previous(std::move(previous))
        , m_secrets(secretValues(metadata, job->m_config))
    {
        m_progress.runId = job->m_runId;
        m_progress.entity = m_entity;
        if (const EntityInfo *info = m_metadata.entity(m_entity)) {
            m_schemaHints = info->schema;
            m_childViews = info->childViews;
        }
        // One thread: pages are counted and handed to the writer in the order they were fetched.
        m_schemaThread.setMaxThreadCount(1);
    }

    void run();
    // Read by the job once this worker's thread has finished.
    EntityProgress finalProgress() const { return m_progress; }

private:
    EntityState startingState();
    void fetchAll(BaseConnector &connector, EntityState &es);
    FetchState fetchPage(BaseConnector &connector, ResumableFetchOptions &options, RecordBatch &records);
    void checkMoved(const BaseConnector &connector, const FetchState &before, const FetchState &after,
                    const RecordBatch &records);
    void queueCommit(const EntityState &es, RecordBatch &&records);
    void settleInCatalog(bool completed, const QString &status);
    void emitProgress(bool force);
    void estimateTotal(const EntityState &es);
    // What the source said (ignored when it says nothing, -1), or estimated from what it read so far.
    void setTotal(qint64 total, bool estimated = false);
    void log(LogLevel level, const QString &message);
    void finish(const QString &state, const QString &error);

    SyncJob *m_job;
    ConnectorMetadata m_metadata;
    QString m_entity;
    std::optional<EntityState> m_previous;
    QStringList m_secrets;
    SchemaHints m_schemaHints;
    SchemaObserver m_observer{m_schemaHints}; // m_schemaThread
    // Counts each page's schema and queues it for the writer, so the next request goes out meanwhile; at
    // most kSchemaQueue pages wait there (the writer's own queue holds back a fetcher faster than the disk).
    QThreadPool m_schemaThread;
    static constexpr int kSchemaQueue = 2;
    QSemaphore m_schemaRoom{kSchemaQueue};
    QHash<QString, QString> m_childViews;
    EntityProgress m_progress;
    QElapsedTimer m_clock;
    qint64 m_lastEmitMs = -1000;
    qint64 m_processedThisRun = 0;
    QByteArray m_lastPageKeys; // the previous page's first and last keys and size: a repeated page shows
    // Written by the writer thread after each commit.
    std::atomic<qint64> m_committedTotal{0};   // the entity's committed position (totalProcessed)
    std::atomic<qint64> m_committedThisRun{0}; // records this run committed
    std::atomic<qint64> m_removed{0};
    std::atomic<bool> m_writeFailed{false};
    QMutex m_errorMutex;
    QString m_writeError;
};

void EntityWorker::log(LogLevel level, const QString &message)
{
    const QString safe = redactWith(message, m_secrets);
    emit m_job->logMessage(m_entity, logLevelName(level), safe);
    if (level == LogLevel::Debug)
        return;
    const qint64 runId = m_job->m_runId;
    const RunLogEntry entry{QDateTime::currentDateTimeUtc(), logLevelName(level), m_entity, safe};
    m_job->m_engine->writer()->submit([runId, entry](Catalog &catalog) {
        catalog.appendRunLog(runId, {entry});
        return QVariant();
    });
}

void EntityWorker::emitProgress(bool force)
{
    const qint64 now = m_clock.elapsed();
    if (!force && now - m_lastEmitMs < 100) // about ten updates a second is all a person can read
        return;
    m_lastEmitMs = now;
    m_progress.elapsedMs = now;
    m_progress.committed = m_committedTotal.load();
    m_progress.committedThisRun = m_committedThisRun.load();
    m_progress.rate = now > 0 ? m_processedThisRun * 1000.0 / now : 0;
    emit m_job->progress(m_progress);
}

void EntityWorker::finish(const QString &state, const QString &error)
{
    m_progress.state = state;
    m_progress.waitReason.clear();
    m_progress.waitUntil = QDateTime();
    m_progress.error = redactWith(error, m_secrets);
    emitProgress(true);
}

// Where this entity starts: an unfinished sync of it is resumed from its last committed page (I4), unless
// the user asked to start over.
EntityState EntityWorker::startingState()
{
    SyncJob *job = m_job;
    EntityState es;
    es.entity = m_entity;
    es.runId = job->m_runId;
    if (m_previous && m_previous->isUnfinished() && job->m_options.continueInterrupted) {
        es.mode = m_previous->mode;
        es.generation = m_previous->generation;
        es.since = m_previous->since;
        es.nextSince = m_previous->nextSince;
        es.state = m_previous->state;
        m_progress.resumed = true;
        log(LogLevel::Info, QStringLiteral("Resuming the interrupted %1 sync after %2 records")
                                .arg(es.mode)
                                .arg(es.state.totalProcessed));
        return es;
    }
    const SyncMode mode = job->effectiveMode(m_entity);
    if (mode != job->m_options.modeOf(m_entity))
        log(LogLevel::Info,
            QStringLiteral("%1 cannot sync incrementally; doing a full refresh").arg(m_entity));
    es.mode = syncModeName(mode);
    const qint64 previousGeneration = m_previous ? m_previous->generation : 0;
    es.generation = mode == SyncMode::Full ? previousGeneration + 1 : qMax<qint64>(1, previousGeneration);
    es.nextSince = m_previous ? m_previous->nextSince : QJsonValue();
    if (mode == SyncMode::Incremental)
        es.since = es.nextSince;
    return es;
}

void EntityWorker::estimateTotal(const EntityState &es)
{
    // A source that does not say how many records it has most likely has about as many as the last full
    // refresh brought: shown as an estimate ("≈"), so the bar and the ETA mean something.
    if (m_progress.total >= 0 || es.mode != QLatin1String("full") || !m_previous ||
        m_previous->status != QLatin1String("done") || m_previous->mode != QLatin1String("full") ||
        m_previous->state.totalProcessed <= 0)
        return;
    m_progress.total = m_previous->state.totalProcessed;
    m_progress.totalEstimated = true;
}

void EntityWorker::setTotal(qint64 total, bool estimated)
{
    if (total < 0)
        return;
    m_progress.total = total;
    m_progress.totalEstimated = estimated;
}

void EntityWorker::run()
{
    m_clock.start();
    SyncJob *job = m_job;
    EntityState es = startingState();
    es.status = QStringLiteral("running");
    m_committedTotal = es.state.totalProcessed;
    m_progress.state = QStringLiteral("running");
    m_progress.processed = es.state.totalProcessed;
    m_progress.pages = es.state.page; // cumulative across a resume, as records are
    setTotal(es.state.total, es.state.totalEstimated);
    estimateTotal(es);
    emitProgress(true);

    QString failure;
    QString finalState = QStringLiteral("done");
    std::unique_ptr<BaseConnector> connector;
    try {
        connector = ConnectorRegistry::instance().create(m_metadata.id);
        if (!connector)
            throw ConnectorError(
                QStringLiteral("The connector \"%1\" is not available in this build").arg(m_metadata.id),
                ConnectorError::Kind::Config);
        connector->setup(m_metadata, job->m_config, job->m_cancel, job->m_limiter);
        connector->setLogHandler([this](LogLevel level, const QString &message) { log(level, message); });
        // Worker thread: waiting is a state people see, with why and until when.
        connector->setWaitHandler([this](const QString &reason, const QDateTime &until) {
            m_progress.state = reason.isEmpty() ? QStringLiteral("running") : QStringLiteral("waiting");
            m_progress.waitReason = reason;
            m_progress.waitUntil = until;
            emitProgress(true);
        });
        fetchAll(*connector, es);
    } catch (const ConnectorError &error) {
        if (error.kind() == ConnectorError::Kind::Cancelled) {
            finalState = QStringLiteral("cancelled");
        } else {
            finalState = QStringLiteral("failed");
            failure = error.message();
            m_progress.failure = classify(error, connector.get());
        }
    } catch (const std::exception &error) {
        finalState = QStringLiteral("failed");
        failure = QStringLiteral("Internal error: %1").arg(QString::fromUtf8(error.what()));
        m_progress.failure = FailureKind::Transient;
    }
    // Wait until every page queued for this entity is committed or refused: only then is the outcome known.
    m_schemaThread.waitForDone();
    m_job->m_engine->writer()->submit([](Catalog &) { return QVariant(); }).waitForFinished();
    if (m_writeFailed.load()) {
        QMutexLocker lock(&m_errorMutex);
        finalState = QStringLiteral("failed");
        failure = m_writeError;
        m_progress.failure = FailureKind::Catalog;
    }

    const bool completed = finalState == QLatin1String("done") && !es.state.hasMore;
    settleInCatalog(completed, finalState);
    if (completed) {
        const qint64 removed = m_removed.load();
        if (removed > 0)
            log(LogLevel::Info, QStringLiteral("Removed %1 records no longer in the source").arg(removed));
        log(LogLevel::Info, QStringLiteral("Done: %1 records").arg(m_committedTotal.load()));
    } else if (finalState == QLatin1String("failed")) {
        log(LogLevel::Error, failure + QStringLiteral(" — the %1 records saved so far are kept; %2")
                                           .arg(m_committedTotal.load())
                                           .arg(failureAdvice(m_progress.failure)));
    } else if (finalState == QLatin1String("cancelled")) {
        log(LogLevel::Info, QStringLiteral("Cancelled after %1 saved records; sync again to resume")
                                .arg(m_committedTotal.load()));
    }
    finish(finalState, failure);
}

void EntityWorker::fetchAll(BaseConnector &connector, EntityState &es)
{
    SyncJob *job = m_job;
    ResumableFetchOptions options;
    options.entity = m_entity;
    options.batchSize = job->m_options.pageSize;
    options.maxIterations = 1; // one page per call: each page commits with the state after it
    options.since = es.since;
    options.cancel = job->m_cancel;
    RecordBatch records;
    options.onBatch = [&](RecordBatch &&batch) {
        if (records.isEmpty())
            records = std::move(batch);
        else
            records.append(std::move(batch));
    };
    options.onProgress = [&](qint64 processed, qint64 total) {
        m_progress.processed = processed;
        setTotal(total);
        emitProgress(false);
    };
    options.onLog = [&](LogLevel level, const QString &message) { log(level, message); };

    while (es.state.hasMore && !m_writeFailed.load()) {
        if (job->m_cancel.isCancelled())
            throw ConnectorError(QStringLiteral("Cancelled"), ConnectorError::Kind::Cancelled);
        options.state = es.state;
        options.state.iterationsInChunk = 0;
        const FetchState next = fetchPage(connector, options, records);
        checkMoved(connector, es.state, next, records);
        es.state = next;
        m_processedThisRun += records.size();
        ++m_progress.pages;
        m_progress.processed = next.totalProcessed;
        setTotal(next.total, next.totalEstimated);
        queueCommit(es, std::move(records));
        records = RecordBatch();
        emitProgress(false);
    }
}

// One page, fetched again when what the API sent did not parse (a body cut short), within the HTTP client's
// retry budget; only a page that stays malformed fails the entity.
FetchState EntityWorker::fetchPage(BaseConnector &connector, ResumableFetchOptions &options,
                                   RecordBatch &records)
{
    for (int retry = 0;; ++retry) {
        records.clear();
        const qint64 requestsBefore = connector.requestsSent();
        try {
            return connector.fetchEntityChunk(options);
        } catch (const ConnectorError &error) {
            // A local file that does not parse will not parse any better the next time.
            const bool fromTheNetwork = connector.requestsSent() > requestsBefore;
            if (error.kind() != ConnectorError::Kind::Malformed || !fromTheNetwork ||
                !connector.backOffAfterMalformedPage(retry, error.message()))
                throw;
        }
    }
}

// A page that says there is more but leaves the position where it was, or repeats the page before it, would
// be asked for again and again: stop the entity with what the API did instead.
void EntityWorker::checkMoved(const BaseConnector &connector, const FetchState &before,
                              const FetchState &after, const RecordBatch &records)
{
    if (!after.hasMore)
        return;
    QByteArray pageKeys;
    if (!records.isEmpty())
        pageKeys = records.constFirst().key + '\n' + records.constLast().key + '\n' +
                   QByteArray::number(records.size());
    const bool repeated = !pageKeys.isEmpty() && pageKeys == m_lastPageKeys;
    m_lastPageKeys = pageKeys;
    // A cursor names the next request by itself (the page number beside it only counts); without one, the
    // page number or offset does.
    const bool samePlace = after.cursor == before.cursor && after.offset == before.offset &&
                           after.metadata == before.metadata &&
                           (after.page == before.page || !after.cursor.isEmpty());
    if (!samePlace && !repeated)
        return;
    const QString url = connector.lastRequestUrl().toString();
    QString what;
    if (samePlace && records.isEmpty())
        what = QStringLiteral("returned no records and no new position");
    else if (samePlace)
        what = after.cursor.isEmpty() ? QStringLiteral("said there is more but gave no new position")
                                      : QStringLiteral("said there is more but pointed at the same cursor "
                                                       "\"%1\" again")
                                            .arg(after.cursor);
    else
        what = QStringLiteral("sent the same %1 records as the page before").arg(records.size());
    throw ConnectorError(
        QStringLiteral("%1 %2 (%3); stopping %4 rather than asking for the same page "
                       "forever. This is a problem on the API's side")
            .arg(m_metadata.name, what, url.isEmpty() ? QStringLiteral("no request") : url, m_entity),
        ConnectorError::Kind::Refused);
}

void EntityWorker::queueCommit(const EntityState &es, RecordBatch &&records)
{
    ChunkWrite chunk;
    chunk.connectionId = m_job->m_connection.id;
    chunk.records = std::move(records);
    chunk.state = es;
    if (!es.state.hasMore) {
        chunk.state.status = QStringLiteral("done");
        if (!es.state.highWater.isNull() && !es.state.highWater.isUndefined())
            chunk.state.nextSince = es.state.highWater;
        chunk.removeOlderGenerations = es.mode == QLatin1String("full");
    }
    const qint64 count = chunk.records.size();
    const qint64 position = es.state.totalProcessed;
    chunk.done = [this, count, position](bool ok, const QString &message) {
        // Writer thread.
        if (ok) {
            m_committedTotal = position;
            m_committedThisRun += count;
            m_removed += message.toLongLong();
            return;
        }
        QMutexLocker lock(&m_errorMutex);
        if (!m_writeFailed.exchange(true))
            m_writeError = message;
    };
    chunk.log = [this](const QString &message) { log(LogLevel::Warning, message); };
    // Counted beside the fetch, not on the one writer all entities share.
    m_schemaRoom.acquire();
    auto counted = std::make_shared<ChunkWrite>(std::move(chunk));
    m_schemaThread.start([this, counted] {
        for (const Record &record : std::as_const(counted->records))
            m_observer.observe(record.json);
        counted->observed = m_observer.take();
        m_job->m_engine->writer()->writeChunk(std::move(*counted));
        m_schemaRoom.release();
    });
}

// After the last page: a completed entity gets its view brought up to date; an unfinished one keeps its last
// committed FetchState, marked with how this sync ended, so the next one resumes right there.
void EntityWorker::settleInCatalog(bool completed, const QString &status)
{
    const qint64 connectionId = m_job->m_connection.id;
    const QString entity = m_entity;
    const QHash<QString, QString> childViews = m_childViews;
    CatalogWriter *writer = m_job->m_engine->writer();
    writer
        ->submit([=](Catalog &catalog) -> QVariant {
            if (completed) {
                catalog.refreshEntityView(connectionId, entity, childViews);
                return QVariant();
            }
            if (auto current = catalog.entityState(connectionId, entity);
                current && current->isUnfinished()) {
                current->status = status;
                catalog.saveEntityState(connectionId, *current);
            }
            return QVariant();
        })
        .waitForFinished();
    writer->forgetFailure(connectionId, entity, m_job->m_runId);
}

SyncJob::SyncJob(SyncEngine *engine, ConnectionInfo connection, ConnectorMetadata metadata,
                 QJsonObject config, SyncOptions options)
    : QObject(engine)
    , m_engine(engine)
    , m_connection(std::move(connection))
    , m_metadata(std::move(metadata))
    , m_config(std::move(config))
    , m_options(std::move(options))
{
    m_limiter = std::make_shared<RateLimiter>(m_config.value(QStringLiteral("rate_limit_delay_ms")).toInt());
    m_summary.connectionId = m_connection.id;
}

SyncJob::~SyncJob()
{
    m_cancel.cancel();
    for (QThread *thread : std::as_const(m_threads)) {
        thread->wait();
        delete thread;
    }
}

void SyncJob::cancel()
{
    m_cancel.cancel();
}

SyncMode SyncJob::effectiveMode(const QString &entity) const
{
    const EntityInfo *info = m_metadata.entity(entity);
    const SyncMode mode = m_options.modeOf(entity);
    if (mode == SyncMode::Incremental && (!info || info->incremental == IncrementalMode::None))
        return SyncMode::Full;
    return mode;
}

void SyncJob::start()
{
    m_running = true;
    m_clock.start();
    m_pending = m_options.entities;
    const qint64 connectionId = m_connection.id;
    const QString mode = m_options.runModeName();
    const QStringList entities = m_options.entities;
    const bool continueInterrupted = m_options.continueInterrupted;
    QHash<QString, QString> modes;
    for (const QString &entity : entities)
        modes.insert(entity, syncModeName(effectiveMode(entity)));
    // The run row and the entities' previous states come from the writer thread; the continuation runs here
    // (this object's thread) without blocking it. An entity the interrupted run before this one finished
    // is carried over to this run instead of being fetched again.
    QFuture<QVariant> future = m_engine->writer()->submit([=](Catalog &catalog) -> QVariant {
        catalog.markStaleRuns();
        const std::optional<RunInfo> previous = catalog.latestRun(connectionId);
        const qint64 runId = catalog.startRun(connectionId, mode, entities);
        if (runId == 0)
            return QVariantMap{{QStringLiteral("error"), catalog.errorString()}};
        const bool continues = continueInterrupted && previous && previous->status != QLatin1String("done") &&
                               previous->status != QLatin1String("running");
        QVariantMap states;
        QVariantMap skipped;
        for (EntityState state : catalog.entityStates(connectionId)) {
            if (continues && entities.contains(state.entity) && state.runId == previous->id &&
                !state.isUnfinished() && state.mode == modes.value(state.entity)) {
                state.runId = runId;
                catalog.saveEntityState(connectionId, state);
                skipped.insert(state.entity, state.state.totalProcessed);
            }
            states.insert(state.entity, QVariant::fromValue(state));
        }
        return QVariantMap{{QStringLiteral("runId"), runId},
                           {QStringLiteral("states"), states},
                           {QStringLiteral("skipped"), skipped},
                           {QStringLiteral("continues"), continues ? previous->id : 0}};
    });
    auto *watcher = new QFutureWatcher<QVariant>(this);
    connect(watcher, &QFutureWatcher<QVariant>::finished, this, [this, watcher] {
        watcher->deleteLater();
        QVariantMap result;
        QString error;
        try {
            result = watcher->result().toMap();
            error = result.value(QStringLiteral("error")).toString();
        } catch (const std::exception &e) {
            error = QString::fromUtf8(e.what());
        }
        m_runId = result.value(QStringLiteral("runId")).toLongLong();
        m_summary.runId = m_runId;
        if (m_runId == 0) {
            m_summary.status = QStringLiteral("failed");
            m_summary.error = QStringLiteral("Cannot record the run in the catalog: %1").arg(error);
            m_running = false;
            m_lock.reset();
            emit finished(m_summary);
            emit m_engine->jobFinished(m_connection.id, m_summary);
            deleteLater();
            return;
        }
        const QVariantMap states = result.value(QStringLiteral("states")).toMap();
        for (auto it = states.begin(); it != states.end(); ++it)
            m_previousStates.insert(it.key(), it.value().value<EntityState>());
        QHash<QString, qint64> skipped;
        const QVariantMap skippedMap = result.value(QStringLiteral("skipped")).toMap();
        for (auto it = skippedMap.begin(); it != skippedMap.end(); ++it)
            skipped.insert(it.key(), it.value().toLongLong());
        skipFinishedEntities(skipped, result.value(QStringLiteral("continues")).toLongLong());
        startNextEntities();
    });
    watcher->setFuture(future);
}

void SyncJob::skipFinishedEntities(const QHash<QString, qint64> &skipped, qint64 continuedRun)
{
    for (auto it = skipped.begin(); it != skipped.end(); ++it) {
        m_pending.removeAll(it.key());
        EntityProgress p;
        p.runId = m_runId;
        p.entity = it.key();
        p.state = QStringLiteral("skipped");
        p.processed = p.committed = it.value();
        m_summary.processed.insert(it.key(), 0);
        m_summary.entityResults.insert(it.key(), QJsonObject{{QStringLiteral("state"), p.state}});
        const QString message =
            QStringLiteral("Already done in run %1, which this sync continues; not fetched again")
                .arg(continuedRun);
        emit logMessage(it.key(), logLevelName(LogLevel::Info), message);
        const RunLogEntry entry{QDateTime::currentDateTimeUtc(), logLevelName(LogLevel::Info), it.key(),
                                message};
        m_engine->writer()->submit([runId = m_runId, entry](Catalog &catalog) {
            return QVariant(catalog.appendRunLog(runId, {entry}));
        });
        emit progress(p);
    }
}

void SyncJob::startNextEntities()
{
    const ConnectorMetadata *metadata = &m_metadata;
    while (!m_pending.isEmpty() && m_active < qMax(1, m_options.maxParallelEntities)) {
        const QString entity = m_pending.takeFirst();
        if (m_cancel.isCancelled()) {
            EntityProgress cancelled;
            cancelled.runId = m_runId;
            cancelled.entity = entity;
            cancelled.state = QStringLiteral("cancelled");
            m_summary.processed.insert(entity, 0);
            m_summary.entityResults.insert(entity, QJsonObject{{QStringLiteral("state"), cancelled.state}});
            emit progress(cancelled);
            continue;
        }
        ++m_active;
        std::optional<EntityState> previous;
        if (m_previousStates.contains(entity))
            previous = m_previousStates.value(entity);
        auto worker = std::make_shared<EntityWorker>(this, *metadata, entity, previous);
        QThread *thread = QThread::create([worker] { worker->run(); });
        thread->setObjectName(QStringLiteral("sync-") + entity);
        connect(thread, &QThread::finished, this,
                [this, worker] { onEntityFinished(worker->finalProgress()); });
        m_threads.append(thread);
        thread->start();
    }
    if (m_active == 0 && m_pending.isEmpty())
        finishRun();
}

void SyncJob::onEntityFinished(const EntityProgress &final)
{
    --m_active;
    m_summary.processed.insert(final.entity, final.committedThisRun);
    QJsonObject result{{QStringLiteral("state"), final.state}};
    if (!final.error.isEmpty())
        result.insert(QStringLiteral("error"), final.error);
    m_summary.entityResults.insert(final.entity, result);
    if (weight(final.failure) > weight(m_summary.failure))
        m_summary.failure = final.failure;
    startNextEntities();
}

void SyncJob::finishRun()
{
    if (!m_running)
        return;
    m_running = false;
    // done: every entity finished (or was finished by the run this one continues); partial: some failed while
    // others finished; failed: none finished.
    QList<QPair<QString, QStringList>> failures; // error -> the entities it stopped, in order
    bool anyFinished = false, anyCancelled = false;
    for (auto it = m_summary.entityResults.begin(); it != m_summary.entityResults.end(); ++it) {
        const QJsonObject result = it.value().toObject();
        const QString state = result.value(QStringLiteral("state")).toString();
        if (state == QLatin1String("failed")) {
            const QString error = result.value(QStringLiteral("error")).toString();
            auto same = std::find_if(failures.begin(), failures.end(),
                                     [&](const auto &failure) { return failure.first == error; });
            if (same == failures.end())
                failures.append({error, {it.key()}});
            else
                same->second.append(it.key());
        }
        anyFinished |= state == QLatin1String("done") || state == QLatin1String("skipped");
        anyCancelled |= state == QLatin1String("cancelled");
    }
    if (!failures.isEmpty())
        m_summary.status = anyFinished ? QStringLiteral("partial") : QStringLiteral("failed");
    else
        m_summary.status = anyCancelled ? QStringLiteral("cancelled") : QStringLiteral("done");
    // One line per cause: a bad key that stops nine entities is said once, not nine times.
    QStringList causes;
    for (const auto &[error, entities] : std::as_const(failures))
        causes.append(entityList(entities) + QStringLiteral(": ") + error);
    m_summary.error = causes.join(QStringLiteral("; "));
    m_summary.elapsedMs = m_clock.elapsed();
    const qint64 runId = m_runId;
    const RunSummary summary = m_summary;
    QFuture<QVariant> future = m_engine->writer()->submit([=](Catalog &catalog) {
        return QVariant(catalog.finishRun(runId, summary.status, summary.error, summary.entityResults));
    });
    auto *watcher = new QFutureWatcher<QVariant>(this);
    connect(watcher, &QFutureWatcher<QVariant>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_lock.reset();
        emit finished(m_summary);
        emit m_engine->jobFinished(m_connection.id, m_summary);
        m_engine->m_jobs.removeAll(QPointer<SyncJob>(this));
        deleteLater();
    });
    watcher->setFuture(future);
}

TestJob::TestJob(QString connectorId, QJsonObject config, QObject *parent)
    : QObject(parent)
    , m_connectorId(std::move(connectorId))
    , m_config(std::move(config))
{
}

TestJob::~TestJob()
{
    m_cancel.cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void TestJob::start()
{
    const QString connectorId = m_connectorId;
    const QJsonObject config = m_config;
    const CancelToken cancel = m_cancel;
    m_thread = QThread::create([this, connectorId, config, cancel] {
        // Worker thread: the connector and its QNetworkAccessManager are created here.
        TestResult result;
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connectorId);
        std::unique_ptr<BaseConnector> connector = ConnectorRegistry::instance().create(connectorId);
        if (!metadata || !connector) {
            result.message = QStringLiteral("Unknown connector \"%1\"").arg(connectorId);
        } else {
            try {
                connector->setup(*metadata, config, cancel);
                const QStringList problems = connector->validateConfig();
                if (!problems.isEmpty())
                    result.message = problems.join(QStringLiteral("; "));
                else
                    result = connector->testConnection();
            } catch (const ConnectorError &error) {
                result.success = false;
                result.message = error.kind() == ConnectorError::Kind::Cancelled
                                     ? QStringLiteral("Test cancelled")
                                     : error.message();
            } catch (const std::exception &error) {
                result.success = false;
                result.message = QStringLiteral("Internal error: %1").arg(QString::fromUtf8(error.what()));
            }
            const QStringList secrets = secretValues(*metadata, config);
            result.message = redactWith(result.message, secrets);
            result.details = redactWith(result.details, secrets);
        }
        QMetaObject::invokeMethod(
            this, [this, result] { emit finished(result); }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("test-") + connectorId);
    m_thread->start();
}

SyncEngine::SyncEngine(QString catalogLocation, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_location(std::move(catalogLocation))
    , m_secrets(secrets)
{
    qRegisterMetaType<EntityProgress>();
    qRegisterMetaType<RunSummary>();
    qRegisterMetaType<TestResult>();
    qRegisterMetaType<EntityState>();
}

SyncEngine::~SyncEngine()
{
    cancelAll();
    waitForIdle();
    // No event loop runs any more to deliver the jobs' endings: record them as cancelled here, so the history
    // does not show them as interrupted. Their committed chunks and states are already in the catalog.
    for (const QPointer<SyncJob> &job : std::as_const(m_jobs)) {
        if (job && job->m_running && job->m_runId > 0 && m_writer) {
            const qint64 runId = job->m_runId;
            m_writer
                ->submit([runId](Catalog &catalog) {
                    return QVariant(catalog.finishRun(
                        runId, QStringLiteral("cancelled"),
                        QStringLiteral("Cancelled when the app closed; sync again to resume")));
                })
                .waitForFinished();
        }
    }
    const auto jobs = m_jobs;
    for (const QPointer<SyncJob> &job : jobs)
        delete job.data();
    m_writer.reset();
}

bool SyncEngine::open(QString *error)
{
    m_writer = std::make_unique<CatalogWriter>(m_location);
    if (!m_writer->start(error)) {
        m_writer.reset();
        return false;
    }
    m_writer->submit([](Catalog &catalog) { return QVariant(catalog.markStaleRuns()); });
    m_locks = CatalogDialect::syncLocks(m_location);
    return true;
}

void SyncEngine::replaceSecretStore(std::unique_ptr<SecretStore> store)
{
    m_ownedSecrets = std::move(store);
    m_secrets = m_ownedSecrets.get();
}

QJsonObject SyncEngine::resolvedConfig(const ConnectionInfo &connection, QString *error) const
{
    QJsonObject config = connection.config;
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
    if (!metadata || !m_secrets)
        return config;
    for (const QString &field : metadata->secretFieldNames()) {
        QString readError;
        const QString value = m_secrets->read(SecretStore::keyFor(connection.id, field), &readError);
        if (!readError.isEmpty() && error)
            *error = readError;
        if (!value.isEmpty())
            config.insert(field, value);
    }
    return config;
}

qint64 SyncEngine::saveConnection(qint64 id, const QString &name, const QString &connectorId,
                                  const QJsonObject &config, QString *error)
{
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connectorId);
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return qint64(0);
    };
    if (!metadata)
        return fail(QStringLiteral("Unknown connector \"%1\"; run `mako-connect-cli connectors` to list them")
                        .arg(connectorId));
    if (name.trimmed().isEmpty())
        return fail(QStringLiteral("name: required"));
    QJsonObject full = config;
    if (id > 0) {
        // Editing: a secret left empty keeps the stored one.
        ConnectionInfo existing;
        existing.id = id;
        existing.connectorId = connectorId;
        const QJsonObject stored = resolvedConfig(existing);
        for (const QString &field : metadata->secretFieldNames()) {
            if (full.value(field).toString().isEmpty() && stored.contains(field))
                full.insert(field, stored.value(field));
        }
    }
    const QStringList problems = validateConfigAgainstSpec(metadata->config, full);
    if (!problems.isEmpty())
        return fail(problems.join(QLatin1Char('\n')));

    QJsonObject publicConfig = full;
    for (const QString &field : metadata->secretFieldNames())
        publicConfig.remove(field);
    const QString trimmed = name.trimmed();
    // A connection and its secrets are saved together or not at all: an edit writes the secrets first, a
    // new connection is taken back out of the catalog when its secrets cannot be stored.
    QString secretError;
    if (id > 0 && !writeSecrets(id, *metadata, full, &secretError))
        return fail(QStringLiteral("The changes to \"%1\" were not saved: %2").arg(trimmed, secretError));
    QFuture<QVariant> future = m_writer->submitUrgent([=](Catalog &catalog) -> QVariant {
        if (id > 0)
            return catalog.updateConnection(id, trimmed, publicConfig) ? QVariant(id)
                                                                       : QVariant(catalog.errorString());
        const qint64 newId = catalog.addConnection(trimmed, connectorId, publicConfig);
        return newId > 0 ? QVariant(newId) : QVariant(catalog.errorString());
    });
    future.waitForFinished();
    const QVariant result = future.result();
    if (result.typeId() == QMetaType::QString)
        return fail(result.toString());
    const qint64 savedId = result.toLongLong();
    if (id == 0 && !writeSecrets(savedId, *metadata, full, &secretError)) {
        m_writer
            ->submitUrgent(
                [savedId](Catalog &catalog) { return QVariant(catalog.removeConnection(savedId)); })
            .waitForFinished();
        removeSecrets(savedId, connectorId);
        return fail(QStringLiteral("The connection \"%1\" was not added: %2").arg(trimmed, secretError));
    }
    return savedId;
}

bool SyncEngine::writeSecrets(qint64 connectionId, const ConnectorMetadata &metadata,
                              const QJsonObject &config, QString *error)
{
    for (const QString &field : metadata.secretFieldNames()) {
        const QString value = config.value(field).toString();
        QString secretError;
        const bool ok = value.isEmpty()
                            ? m_secrets->remove(SecretStore::keyFor(connectionId, field), &secretError)
                            : m_secrets->write(SecretStore::keyFor(connectionId, field), value, &secretError);
        if (!ok) {
            *error = QStringLiteral("its %1 could not be stored (%2)").arg(field, secretError);
            return false;
        }
    }
    return true;
}

void SyncEngine::removeSecrets(qint64 connectionId, const QString &connectorId) const
{
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connectorId);
    if (!metadata || !m_secrets)
        return;
    for (const QString &field : metadata->secretFieldNames())
        m_secrets->remove(SecretStore::keyFor(connectionId, field));
}

bool SyncEngine::setSecret(const ConnectionInfo &connection, const QString &field, const QString &value,
                           QString *error)
{
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
    const QStringList fields = metadata ? metadata->secretFieldNames() : QStringList();
    if (!fields.contains(field)) {
        *error = fields.isEmpty()
                     ? QStringLiteral("\"%1\" has no secret settings").arg(connection.name)
                     : QStringLiteral("\"%1\" is not a secret setting of \"%2\"; choose from: %3")
                           .arg(field, connection.name, fields.join(QStringLiteral(", ")));
        return false;
    }
    if (value.isEmpty()) {
        *error = QStringLiteral("the %1 given is empty").arg(field);
        return false;
    }
    QString secretError;
    if (!m_secrets->write(SecretStore::keyFor(connection.id, field), value, &secretError)) {
        *error =
            QStringLiteral("could not store the %1 of \"%2\": %3").arg(field, connection.name, secretError);
        return false;
    }
    return true;
}

SyncJob *SyncEngine::startSync(const ConnectionInfo &connection, const SyncOptions &requested, QString *error,
                               SyncRefusal *refusal)
{
    auto fail = [error, refusal](SyncRefusal why, const QString &message) -> SyncJob * {
        if (error)
            *error = message;
        if (refusal)
            *refusal = why;
        return nullptr;
    };
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
    if (!metadata)
        return fail(
            SyncRefusal::NotReady,
            QStringLiteral("The connection \"%1\" uses the connector \"%2\", which this build does not have")
                .arg(connection.name, connection.connectorId));
    if (!m_writer)
        return fail(SyncRefusal::NotReady, QStringLiteral("The catalog is not open"));
    for (const QPointer<SyncJob> &job : std::as_const(m_jobs)) {
        if (job && job->m_connection.id == connection.id && job->isRunning())
            return fail(SyncRefusal::AlreadySyncing,
                        QStringLiteral("\"%1\" is already syncing").arg(connection.name));
    }
    QString secretError;
    const QJsonObject config =
        applyConfigDefaults(metadata->config, resolvedConfig(connection, &secretError));
    // Entities may come from the connection's config (files, GraphQL queries): resolve them for this job.
    QString entitiesError;
    const ConnectorMetadata resolved = metadata->forConfig(config, &entitiesError);
    SyncOptions options = requested;
    if (options.entities.isEmpty())
        options.entities = resolved.entityNames();
    for (const QString &entity : std::as_const(options.entities)) {
        if (!resolved.entity(entity))
            return fail(SyncRefusal::BadRequest,
                        QStringLiteral("Unknown entity \"%1\" for %2; choose from: %3")
                            .arg(entity, resolved.name, resolved.entityNames().join(QStringLiteral(", "))));
    }
    options.entities.removeDuplicates();
    const QStringList problems = validateConfigAgainstSpec(metadata->config, config);
    if (!problems.isEmpty())
        return fail(SyncRefusal::NotReady,
                    QStringLiteral("The connection \"%1\" is not configured correctly: %2%3")
                        .arg(connection.name, problems.join(QStringLiteral("; ")),
                             secretError.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(secretError)));
    if (!entitiesError.isEmpty())
        return fail(SyncRefusal::NotReady,
                    QStringLiteral("The entities of \"%1\" are not defined correctly: %2")
                        .arg(connection.name, entitiesError));
    if (options.entities.isEmpty())
        return fail(SyncRefusal::BadRequest,
                    QStringLiteral("\"%1\" has no entities to sync; define them in its settings")
                        .arg(connection.name));
    // I7: another process (a CLI, the app, a worker) may be syncing this connection right now.
    SyncLockHolder holder;
    QString lockError;
    std::unique_ptr<SyncLock> lock = m_locks->tryLock(connection.id, &holder, &lockError);
    if (!lock && !lockError.isEmpty())
        return fail(SyncRefusal::NotReady, lockError);
    if (!lock)
        return fail(SyncRefusal::AlreadySyncing,
                    QStringLiteral("\"%1\" is already syncing in another process (%2); wait for that sync to "
                                   "finish, or stop it there")
                        .arg(connection.name, holder.describe()));
    options.pageSize = int(config.value(QStringLiteral("batch_size")).toInteger(options.pageSize));
    auto *job = new SyncJob(this, connection, resolved, config, options);
    job->m_lock = std::move(lock);
    m_jobs.append(job);
    job->start();
    emit jobStarted(job);
    return job;
}

TestJob *SyncEngine::startTest(const QString &connectorId, const QJsonObject &config)
{
    auto *job = new TestJob(connectorId, config, this);
    connect(job, &TestJob::finished, job, &QObject::deleteLater);
    job->start();
    return job;
}

QList<SyncJob *> SyncEngine::runningJobs() const
{
    QList<SyncJob *> list;
    for (const QPointer<SyncJob> &job : m_jobs) {
        if (job && job->isRunning())
            list.append(job);
    }
    return list;
}

void SyncEngine::cancelAll()
{
    for (const QPointer<SyncJob> &job : std::as_const(m_jobs)) {
        if (job)
            job->cancel();
    }
}

void SyncEngine::waitForIdle()
{
    for (const QPointer<SyncJob> &job : std::as_const(m_jobs)) {
        if (!job)
            continue;
        for (QThread *thread : std::as_const(job->m_threads))
            thread->wait();
    }
    if (m_writer)
        m_writer->flush();
}
