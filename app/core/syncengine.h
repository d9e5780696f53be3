// Runs tests and syncs of connections on worker threads. One SyncEngine per process and catalog; it owns the
// catalog's single writer. Jobs report through queued signals of value types, so the GUI (or the CLI's main
// thread) never waits on a worker (I5).
#pragma once

#include "catalog.h"
#include "catalogwriter.h"
#include "connector.h"
#include "secretstore.h"
#include "synclock.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>

enum class SyncMode { Full, Incremental };
QString syncModeName(SyncMode mode);

struct SyncOptions
{
    QStringList entities; // empty: every entity of the connector
    SyncMode mode = SyncMode::Full;
    QHash<QString, SyncMode> entityModes; // entity -> its own mode, instead of `mode`
    SyncMode modeOf(const QString &entity) const { return entityModes.value(entity, mode); }
    // The run's mode as the history keeps it: "full", "incremental", or "mixed" when the entities differ.
    QString runModeName() const;
    int maxParallelEntities = 3;
    int pageSize = 100;
    // Continue an interrupted or failed run: unfinished entities resume at their last committed page and
    // entities that run already finished are skipped. False starts every entity over.
    bool continueInterrupted = true;
};

// Why startSync() refused.
enum class SyncRefusal {
    None,
    BadRequest,     // unknown entity, nothing to sync
    AlreadySyncing, // this process or another one syncs the connection now (I7)
    NotReady        // the connection or the catalog is not usable as it is
};

// Why an entity failed, for what people are told to do next.
enum class FailureKind {
    None,
    Transient, // network, 5xx, rate limit, a page cut short: syncing again resumes
    Auth,      // the key was refused: fix it first
    Refused,   // the API will not accept this request as it is (a 4xx, a cursor that does not move, bad
               // settings)
    Catalog    // the catalog could not be written; its message says what to fix
};
// What to do next, in one sentence, for a failure of this kind ("" for None).
QString failureAdvice(FailureKind kind);

// A snapshot of one entity of a running sync. Throttled to about 10 per second per entity.
struct EntityProgress
{
    qint64 runId = 0;
    QString entity;
    // queued, running, waiting (for the API: see waitReason), done, failed, cancelled, skipped (done in the
    // run this one continues)
    QString state;
    qint64 processed = 0;        // records fetched in this sync (including earlier pages when resuming)
    qint64 committed = 0;        // of those, committed to the catalog: the position a rerun resumes from
    qint64 committedThisRun = 0; // records this run committed
    qint64 total = -1;           // -1 when the source does not say
    bool totalEstimated = false; // `total` is the last complete full refresh's count, not the source's
    int pages = 0;               // pages fetched, counting those before a resume
    double rate = 0;             // records per second over this run
    qint64 elapsedMs = 0;
    bool resumed = false;
    QString error;
    FailureKind failure = FailureKind::None;
    QString waitReason;  // while waiting: "rate limit (HTTP 429)", "backoff after HTTP 503 (retry 1 of 6)"
    QDateTime waitUntil; // while waiting: when the next request goes out (UTC)
};

struct RunSummary
{
    qint64 runId = 0;
    qint64 connectionId = 0;
    QString status; // done, partial (some entities failed, others finished), failed, cancelled
    QString error;  // each failed entity with why, for people
    QHash<QString, qint64> processed;        // entity -> records committed by this run
    QJsonObject entityResults;               // entity -> {"state", "error"}: what the run history keeps
    FailureKind failure = FailureKind::None; // the failure that most decides what to do next
    qint64 elapsedMs = 0;
    qint64 requests = 0;
};

Q_DECLARE_METATYPE(EntityProgress)
Q_DECLARE_METATYPE(RunSummary)
Q_DECLARE_METATYPE(TestResult)

class SyncEngine;

class SyncJob : public QObject
{
    Q_OBJECT
public:
    ~SyncJob() override;
    qint64 runId() const { return m_runId; }
    ConnectionInfo connection() const { return m_connection; }
    QStringList entities() const { return m_options.entities; }
    SyncMode mode() const { return m_options.mode; }
    bool isRunning() const { return m_running; }
    // Thread-safe. Workers stop after their request in flight is aborted; committed pages stay (I4).
    void cancel();

signals:
    void progress(const EntityProgress &progress);
    void logMessage(const QString &entity, const QString &level, const QString &message);
    void finished(const RunSummary &summary);

private:
    friend class SyncEngine;
    friend class EntityWorker;
    SyncJob(SyncEngine *engine, ConnectionInfo connection, ConnectorMetadata metadata, QJsonObject config,
            SyncOptions options);
    void start();
    void startNextEntities();
    void onEntityFinished(const EntityProgress &final);
    void skipFinishedEntities(const QHash<QString, qint64> &skipped, qint64 continuedRun);
    void finishRun();
    SyncMode effectiveMode(const QString &entity) const; // incremental falls back to full where it can't
    SyncEngine *m_engine;
    ConnectionInfo m_connection;
    ConnectorMetadata m_metadata; // with this connection's entities (ConnectorMetadata::forConfig)
    QJsonObject m_config;         // with secrets: lives only in memory
    SyncOptions m_options;
    CancelToken m_cancel;
    std::shared_ptr<class RateLimiter> m_limiter;
    QStringList m_pending;
    QHash<QString, EntityState> m_previousStates;
    int m_active = 0;
    qint64 m_runId = 0;
    bool m_running = false;
    RunSummary m_summary;
    QElapsedTimer m_clock;
    QList<QThread *> m_threads;
    std::unique_ptr<SyncLock> m_lock; // held from start to the run's last write (I7)
};

class TestJob : public QObject
{
    Q_OBJECT
public:
    ~TestJob() override;
    void cancel() { m_cancel.cancel(); }

signals:
    void finished(const TestResult &result);

private:
    friend class SyncEngine;
    TestJob(QString connectorId, QJsonObject config, QObject *parent);
    void start();
    QString m_connectorId;
    QJsonObject m_config;
    CancelToken m_cancel;
    QThread *m_thread = nullptr;
};

class SyncEngine : public QObject
{
    Q_OBJECT
public:
    SyncEngine(QString catalogLocation, SecretStore *secrets, QObject *parent = nullptr);
    ~SyncEngine() override; // cancels running jobs and waits for their threads

    bool open(QString *error);
    QString catalogLocation() const { return m_location; }
    CatalogWriter *writer() const { return m_writer.get(); }
    SecretStore *secrets() const { return m_secrets; }
    // After its secrets moved to another store (no job running): the engine keeps and uses `store`.
    void replaceSecretStore(std::unique_ptr<SecretStore> store);

    // The connection's config with its secrets read back from the store.
    QJsonObject resolvedConfig(const ConnectionInfo &connection, QString *error = nullptr) const;
    // Splits a full config into catalog part and secrets and stores both (writer thread for the catalog).
    // Returns the connection id, or 0 with `error` set.
    qint64 saveConnection(qint64 id, const QString &name, const QString &connectorId,
                          const QJsonObject &config, QString *error);
    // Removes every secret of the connection from the store. Thread-safe (the store is; the registry is
    // read-only), so it may run inside a writer task.
    void removeSecrets(qint64 connectionId, const QString &connectorId) const;
    // Gives a connection one secret again (a lost or damaged secret store), keeping its records.
    bool setSecret(const ConnectionInfo &connection, const QString &field, const QString &value,
                   QString *error);

    // The job is owned by the engine and deleted after finished(). Returns nullptr with `error` on bad input
    // (unknown entity, connection already syncing, invalid config).
    SyncJob *startSync(const ConnectionInfo &connection, const SyncOptions &options, QString *error = nullptr,
                       SyncRefusal *refusal = nullptr);
    TestJob *startTest(const QString &connectorId, const QJsonObject &config);
    QList<SyncJob *> runningJobs() const;
    void cancelAll();
    // Blocks until all worker threads ended (used at shutdown after cancelAll()).
    void waitForIdle();

signals:
    void jobStarted(SyncJob *job);
    void jobFinished(qint64 connectionId, const RunSummary &summary);

private:
    friend class SyncJob;
    bool writeSecrets(qint64 connectionId, const ConnectorMetadata &metadata, const QJsonObject &config,
                      QString *error);
    QString m_location;
    SecretStore *m_secrets;
    std::unique_ptr<SecretStore> m_ownedSecrets;
    std::unique_ptr<CatalogWriter> m_writer;
    std::unique_ptr<SyncLocks> m_locks;
    QList<QPointer<SyncJob>> m_jobs;
};
