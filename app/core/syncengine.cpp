#include "syncengine.h"

#include "connectorregistry.h"

#include <QFutureWatcher>
#include <QJsonArray>
#include <QThread>

#include <atomic>

QString syncModeName(SyncMode mode)
{
    return mode == SyncMode::Incremental ? QStringLiteral("incremental") : QStringLiteral("full");
}

namespace {

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

// One entity of a sync, run start to finish on its own thread: fetch chunk after chunk with the connector and
// hand each whole chunk to the catalog writer, so fetching the next chunk overlaps committing the last one.
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
    }

    void run();
    // Read by the job once this worker's thread has finished.
    EntityProgress finalProgress() const { return m_progress; }

private:
    void emitProgress(bool force);
    void log(LogLevel level, const QString &message);
    void finish(const QString &state, const QString &error);

    SyncJob *m_job;
    ConnectorMetadata m_metadata;
    QString m_entity;
    std::optional<EntityState> m_previous;
    QStringList m_secrets;
    EntityProgress m_progress;
    QElapsedTimer m_clock;
    qint64 m_lastEmitMs = -1000;
    qint64 m_processedThisRun = 0;
    std::atomic<qint64> m_committed{0};
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
    m_progress.committed = m_committed.load();
    m_progress.rate = now > 0 ? m_processedThisRun * 1000.0 / now : 0;
    emit m_job->progress(m_progress);
}

void EntityWorker::finish(const QString &state, const QString &error)
{
    m_progress.state = state;
    m_progress.error = redactWith(error, m_secrets);
    emitProgress(true);
}

void EntityWorker::run()
{
    m_clock.start();
    SyncJob *job = m_job;
    CatalogWriter *writer = job->m_engine->writer();
    const EntityInfo *info = m_metadata.entity(m_entity);

    // Decide where to start: an unfinished sync of this entity is resumed from its last committed chunk (I4).
    EntityState es;
    es.entity = m_entity;
    es.runId = job->m_runId;
    const bool resume = m_previous && m_previous->isUnfinished();
    if (resume) {
        es.mode = m_previous->mode;
        es.generation = m_previous->generation;
        es.since = m_previous->since;
        es.nextSince = m_previous->nextSince;
        es.state = m_previous->state;
        m_progress.resumed = true;
        log(LogLevel::Info, QStringLiteral("Resuming the interrupted %1 sync after %2 records")
                                .arg(es.mode)
                                .arg(es.state.totalProcessed));
    } else {
        SyncMode mode = job->m_options.mode;
        if (mode == SyncMode::Incremental && (!info || info->incremental == IncrementalMode::None)) {
            log(LogLevel::Info,
                QStringLiteral("%1 cannot sync incrementally; doing a full refresh").arg(m_entity));
            mode = SyncMode::Full;
        }
        es.mode = syncModeName(mode);
        const qint64 previousGeneration = m_previous ? m_previous->generation : 0;
        es.generation = mode == SyncMode::Full ? previousGeneration + 1 : qMax<qint64>(1, previousGeneration);
        es.nextSince = m_previous ? m_previous->nextSince : QJsonValue();
        if (mode == SyncMode::Incremental)
            es.since = es.nextSince;
    }
    es.status = QStringLiteral("running");
    m_progress.state = QStringLiteral("running");
    m_progress.processed = es.state.totalProcessed;
    m_progress.total = es.state.total;
    emitProgress(true);

    QString failure;
    QString finalState = QStringLiteral("done");
    try {
        std::unique_ptr<BaseConnector> connector = ConnectorRegistry::instance().create(m_metadata.id);
        if (!connector)
            throw ConnectorError(
                QStringLiteral("The connector \"%1\" is not available in this build").arg(m_metadata.id),
                ConnectorError::Kind::Config);
        connector->setup(m_metadata, job->m_config, job->m_cancel, job->m_limiter);
        connector->setLogHandler([this](LogLevel level, const QString &message) { log(level, message); });

        ResumableFetchOptions options;
        options.entity = m_entity;
        options.batchSize = job->m_options.pageSize;
        options.maxIterations = job->m_options.pagesPerChunk;
        options.since = es.since;
        options.cancel = job->m_cancel;
        RecordBatch chunkRecords;
        options.onBatch = [&](RecordBatch &&records) {
            m_processedThisRun += records.size();
            if (chunkRecords.isEmpty())
                chunkRecords = std::move(records);
            else
                chunkRecords.append(std::move(records));
            ++m_progress.pages;
        };
        options.onProgress = [&](qint64 processed, qint64 total) {
            m_progress.processed = processed;
            if (total >= 0)
                m_progress.total = total;
            emitProgress(false);
        };
        options.onLog = [&](LogLevel level, const QString &message) { log(level, message); };

        while (es.state.hasMore) {
            if (job->m_cancel.isCancelled())
                throw ConnectorError(QStringLiteral("Cancelled"), ConnectorError::Kind::Cancelled);
            if (m_writeFailed.load())
                break;
            options.state = es.state;
            options.state.iterationsInChunk = 0;
            chunkRecords.clear();
            const FetchState next = connector->fetchEntityChunk(options);
            // A chunk that brought nothing and moved nowhere would loop forever: stop with a message instead.
            if (next.hasMore && chunkRecords.isEmpty() && next.cursor == es.state.cursor &&
                next.page == es.state.page && next.offset == es.state.offset &&
                next.metadata == es.state.metadata)
                throw ConnectorError(
                    QStringLiteral("The %1 connector returned no records and no new position for %2; "
                                   "stopping rather than asking for the same page forever")
                        .arg(m_metadata.name, m_entity),
                    ConnectorError::Kind::Api);

            es.state = next;
            m_progress.processed = next.totalProcessed;
            if (next.total >= 0)
                m_progress.total = next.total;

            ChunkWrite chunk;
            chunk.connectionId = job->m_connection.id;
            chunk.records = std::move(chunkRecords);
            chunkRecords = RecordBatch();
            chunk.state = es;
            if (!next.hasMore) {
                chunk.state.status = QStringLiteral("done");
                if (!next.highWater.isNull() && !next.highWater.isUndefined())
                    chunk.state.nextSince = next.highWater;
                chunk.removeOlderGenerations = es.mode == QLatin1String("full");
            }
            const qint64 count = chunk.records.size();
            chunk.done = [this, count](bool ok, const QString &error) {
                // Writer thread.
                if (ok) {
                    m_committed += count;
                    m_removed += error.toLongLong();
                    return;
                }
                QMutexLocker lock(&m_errorMutex);
                if (!m_writeFailed.exchange(true))
                    m_writeError = error;
            };
            writer->writeChunk(std::move(chunk));
            emitProgress(false);
        }
    } catch (const ConnectorError &error) {
        if (error.kind() == ConnectorError::Kind::Cancelled) {
            finalState = QStringLiteral("cancelled");
        } else {
            finalState = QStringLiteral("failed");
            failure = error.message();
        }
    } catch (const std::exception &error) {
        finalState = QStringLiteral("failed");
        failure = QStringLiteral("Internal error: %1").arg(QString::fromUtf8(error.what()));
    }

    // Everything queued for this entity is committed before it reports (the last chunk of a full refresh
    // also removed the records the source no longer has, I3); then its view is brought up to date.
    const qint64 connectionId = job->m_connection.id;
    const bool completed = finalState == QLatin1String("done") && !es.state.hasMore;
    const QString entity = m_entity;
    const QString status = finalState;
    QFuture<QVariant> finished = writer->submit([=](Catalog &catalog) -> QVariant {
        if (completed) {
            catalog.refreshEntityView(connectionId, entity);
            return QVariant();
        }
        // Keep the last committed FetchState; only say how this sync ended, so the next one resumes.
        if (auto current = catalog.entityState(connectionId, entity); current && current->isUnfinished()) {
            current->status = status;
            catalog.saveEntityState(connectionId, *current);
        }
        return QVariant();
    });
    finished.waitForFinished();
    if (m_writeFailed.load()) {
        QMutexLocker lock(&m_errorMutex);
        finalState = QStringLiteral("failed");
        failure = m_writeError;
    }
    if (completed && !m_writeFailed.load()) {
        const qint64 removed = m_removed.load();
        if (removed > 0)
            log(LogLevel::Info, QStringLiteral("Removed %1 records no longer in the source").arg(removed));
        log(LogLevel::Info, QStringLiteral("Done: %1 records").arg(es.state.totalProcessed));
    } else if (finalState == QLatin1String("failed")) {
        log(LogLevel::Error,
            failure + QStringLiteral(" — records synced so far are kept; sync again to resume"));
    } else if (finalState == QLatin1String("cancelled")) {
        log(LogLevel::Info,
            QStringLiteral("Cancelled after %1 records; sync again to resume").arg(es.state.totalProcessed));
    }
    finish(finalState, failure);
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

void SyncJob::start()
{
    m_running = true;
    m_clock.start();
    m_pending = m_options.entities;
    const qint64 connectionId = m_connection.id;
    const QString mode = syncModeName(m_options.mode);
    const QStringList entities = m_options.entities;
    // The run row and the entities' previous states come from the writer thread; the continuation runs here
    // (this object's thread) without blocking it.
    QFuture<QVariant> future = m_engine->writer()->submit([=](Catalog &catalog) -> QVariant {
        const qint64 runId = catalog.startRun(connectionId, mode, entities);
        QVariantMap states;
        for (const EntityState &state : catalog.entityStates(connectionId))
            states.insert(state.entity, QVariant::fromValue(state));
        return QVariantMap{{QStringLiteral("runId"), runId}, {QStringLiteral("states"), states}};
    });
    auto *watcher = new QFutureWatcher<QVariant>(this);
    connect(watcher, &QFutureWatcher<QVariant>::finished, this, [this, watcher] {
        watcher->deleteLater();
        QVariantMap result;
        QString error;
        try {
            result = watcher->result().toMap();
        } catch (const std::exception &e) {
            error = QString::fromUtf8(e.what());
        }
        m_runId = result.value(QStringLiteral("runId")).toLongLong();
        m_summary.runId = m_runId;
        if (m_runId == 0) {
            m_summary.status = QStringLiteral("failed");
            m_summary.error = QStringLiteral("Cannot record the run in the catalog %1").arg(error);
            m_running = false;
            emit finished(m_summary);
            emit m_engine->jobFinished(m_connection.id, m_summary);
            deleteLater();
            return;
        }
        const QVariantMap states = result.value(QStringLiteral("states")).toMap();
        for (auto it = states.begin(); it != states.end(); ++it)
            m_previousStates.insert(it.key(), it.value().value<EntityState>());
        startNextEntities();
    });
    watcher->setFuture(future);
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
            emit progress(cancelled);
            if (m_summary.status.isEmpty())
                m_summary.status = QStringLiteral("cancelled");
            continue;
        }
        ++m_active;
        std::optional<EntityState> previous;
        if (m_previousStates.contains(entity))
            previous = m_previousStates.value(entity);
        auto worker = std::make_shared<EntityWorker>(this, *metadata, entity, previous);
        QThread *thread = QThread::create([this, worker] { worker->run(); });
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
    m_summary.processed.insert(final.entity, final.committed);
    if (final.state == QLatin1String("failed")) {
        if (m_summary.error.isEmpty())
            m_summary.error = final.entity + QStringLiteral(": ") + final.error;
        m_summary.status = QStringLiteral("failed");
    } else if (final.state == QLatin1String("cancelled") && m_summary.status != QLatin1String("failed")) {
        m_summary.status = QStringLiteral("cancelled");
    }
    startNextEntities();
}

void SyncJob::finishRun()
{
    if (!m_running)
        return;
    m_running = false;
    if (m_summary.status.isEmpty())
        m_summary.status = QStringLiteral("done");
    m_summary.elapsedMs = m_clock.elapsed();
    qint64 total = 0;
    QJsonObject counts;
    for (auto it = m_summary.processed.begin(); it != m_summary.processed.end(); ++it) {
        total += it.value();
        counts.insert(it.key(), it.value());
    }
    const qint64 runId = m_runId;
    const RunSummary summary = m_summary;
    QFuture<QVariant> future = m_engine->writer()->submit([=](Catalog &catalog) {
        return QVariant(catalog.finishRun(runId, summary.status, total, counts, summary.error));
    });
    auto *watcher = new QFutureWatcher<QVariant>(this);
    connect(watcher, &QFutureWatcher<QVariant>::finished, this, [this, watcher] {
        watcher->deleteLater();
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
                        runId, QStringLiteral("cancelled"), 0, {},
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
    return true;
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
    for (const QString &field : metadata->secretFieldNames()) {
        const QString value = full.value(field).toString();
        QString secretError;
        const bool ok = value.isEmpty()
                            ? m_secrets->remove(SecretStore::keyFor(savedId, field), &secretError)
                            : m_secrets->write(SecretStore::keyFor(savedId, field), value, &secretError);
        if (!ok)
            return fail(secretError);
    }
    return savedId;
}

SyncJob *SyncEngine::startSync(const ConnectionInfo &connection, const SyncOptions &requested, QString *error)
{
    auto fail = [error](const QString &message) -> SyncJob * {
        if (error)
            *error = message;
        return nullptr;
    };
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
    if (!metadata)
        return fail(
            QStringLiteral("The connection \"%1\" uses the connector \"%2\", which this build does not have")
                .arg(connection.name, connection.connectorId));
    if (!m_writer)
        return fail(QStringLiteral("The catalog is not open"));
    for (const QPointer<SyncJob> &job : std::as_const(m_jobs)) {
        if (job && job->m_connection.id == connection.id && job->isRunning())
            return fail(QStringLiteral("\"%1\" is already syncing").arg(connection.name));
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
            return fail(QStringLiteral("Unknown entity \"%1\" for %2; choose from: %3")
                            .arg(entity, resolved.name, resolved.entityNames().join(QStringLiteral(", "))));
    }
    options.entities.removeDuplicates();
    const QStringList problems = validateConfigAgainstSpec(metadata->config, config);
    if (!problems.isEmpty())
        return fail(QStringLiteral("The connection \"%1\" is not configured correctly: %2%3")
                        .arg(connection.name, problems.join(QStringLiteral("; ")),
                             secretError.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(secretError)));
    if (!entitiesError.isEmpty())
        return fail(QStringLiteral("The entities of \"%1\" are not defined correctly: %2")
                        .arg(connection.name, entitiesError));
    if (options.entities.isEmpty())
        return fail(QStringLiteral("\"%1\" has no entities to sync; define them in its settings")
                        .arg(connection.name));
    options.pageSize = int(config.value(QStringLiteral("batch_size")).toInteger(options.pageSize));
    auto *job = new SyncJob(this, connection, resolved, config, options);
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
