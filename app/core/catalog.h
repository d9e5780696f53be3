// The local catalog: connections (config without secrets), sync state, runs, run log and records.
// A Catalog object wraps one QSqlDatabase connection for the thread that created it (Qt's rule); create one
// per thread and never share it. Writes from the GUI go through CatalogWriter (I5).
#pragma once

#include "catalogdialect.h"
#include "connector.h"
#include "fieldschema.h"
#include "schedule.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>
#include <optional>

struct ConnectionInfo
{
    qint64 id = 0;
    QString name;
    QString connectorId;
    QJsonObject config; // non-secret fields only
    QDateTime createdAt;
    QDateTime updatedAt;
};

struct RunInfo
{
    qint64 id = 0;
    qint64 connectionId = 0;
    QString status; // running, done, partial (some entities failed), failed, cancelled, interrupted
    QString mode;   // full, incremental, mixed (each entity its own; see EntityState::mode)
    QStringList entities;
    QDateTime startedAt;
    QDateTime finishedAt;      // invalid while running
    qint64 records = 0;        // committed by this run, kept up to date by every chunk's transaction
    qint64 removed = 0;        // removed by its full refresh (no longer in the source), with the removal
    QJsonObject entityCounts;  // entity -> records committed by this run (live while it runs)
    QJsonObject entityResults; // entity -> {"state": done|failed|cancelled|skipped, "error": why}
    QString error;
    qint64 pid = 0;
    QString host;           // the machine that ran it (QSysInfo::machineHostName)
    QDateTime lastCommitAt; // the run's last chunk commit; an interrupted run ends here
};

struct RunLogEntry
{
    QDateTime at;
    QString level;
    QString entity;
    QString message;
};

// sync_state row: where an entity's last (or current) sync stands.
struct EntityState
{
    QString entity;
    QString status;        // running, done, failed, cancelled
    QString mode;          // mode of the sync this state belongs to
    qint64 generation = 0; // full-refresh generation records are stamped with
    QJsonValue since;      // incremental cursor the (current) sync started from
    QJsonValue nextSince;  // cursor for the next incremental sync, set when a sync completes
    FetchState state;
    qint64 runId = 0;
    QDateTime updatedAt;

    // The FetchState is the truth: whatever the status says, a state with more to fetch resumes there.
    bool isUnfinished() const { return state.hasMore; }
};

Q_DECLARE_METATYPE(EntityState)

// An entity's rows of entity_fields as written: the sync's writer keeps them from one commit to the next
// (its run holds the entity's lock, so nobody else writes them), rather than reading them back each time.
struct EntityFieldRows
{
    bool loaded = false;
    QList<FieldStats> kept;    // in position order
    QList<FieldCounts> pass;   // per kept field: its count in the full refresh under way, if any
    QList<bool> inPass;        // per kept field: whether `pass` belongs to the refresh being merged
    QHash<QString, int> index; // path -> kept index
};

class Catalog
{
public:
    // Opens (creating if needed) the catalog for the calling thread. `location` is a SQLite file path or a
    // postgresql:// URL (CatalogLocation).
    explicit Catalog(const QString &location);
    ~Catalog();
    Catalog(const Catalog &) = delete;
    Catalog &operator=(const Catalog &) = delete;

    bool isOpen() const { return m_open; }
    QString errorString() const { return m_error; }
    QString location() const { return m_location; }
    QSqlDatabase database() const;
    CatalogBackend backend() const;
    CatalogDialect &dialect() { return *m_dialect; }
    // What the last failed statement ran into (another session's lock, a full disk, ...).
    CatalogDialect::Failure lastFailure() const { return m_failure; }

    static QString
    defaultLocation(); // $MAKO_CONNECT_CATALOG, or GenericDataLocation/mako-connect/catalog.sqlite
    static int schemaVersion();

    // Reads (any thread with its own Catalog).
    QList<ConnectionInfo> connections();
    // A number that moves when another connection commits (SQLite's PRAGMA data_version): a cheap way to
    // see that another process (or the writer thread) wrote something.
    qint64 dataVersion();
    // Changes whenever a connection is added, edited or removed, or a run starts or ends.
    QString connectionsStamp();
    std::optional<ConnectionInfo> connection(const QString &name);
    std::optional<ConnectionInfo> connectionById(qint64 id);
    QList<RunInfo> runs(qint64 connectionId, int limit = 100);
    // The newest runs of every connection, of one status ("done", …) or all ("").
    QList<RunInfo> allRuns(int limit = 500, const QString &status = {});
    // In the open write transaction: the run's full refresh removed `removed` records more.
    bool addRunRemoved(qint64 runId, qint64 removed);
    std::optional<RunInfo> run(qint64 runId);
    QList<RunLogEntry> runLog(qint64 runId);
    QList<EntityState> entityStates(qint64 connectionId);
    std::optional<EntityState> entityState(qint64 connectionId, const QString &entity);
    qint64 recordCount(qint64 connectionId, const QString &entity);
    QStringList syncedEntities(qint64 connectionId);
    // A catalog-wide setting ("secret_store"), or "" when never set.
    QString setting(const QString &key);
    // Connection id -> its schedule (connections without one are not there).
    QHash<qint64, Schedule> schedules();
    Schedule schedule(qint64 connectionId); // Off when it has none
    // Off removes it. `schedule.setAt` is kept as given: a cron schedule fires first after it.
    bool setSchedule(qint64 connectionId, const Schedule &schedule);
    // The schedule started a run at `at` (its clock): that firing is served.
    bool markScheduleFired(qint64 connectionId, const QDateTime &at);
    // Takes the firing after `lastFired` (invalid: never fired) for this process, marking it served at `at`;
    // false when another process took it first (or `lastFired` is no longer the schedule's).
    bool claimScheduleFiring(qint64 connectionId, const QDateTime &lastFired, const QDateTime &at);
    // Name of the SQL view over an entity's records ("stripe_prod__customers").
    static QString viewName(const QString &connectionName, const QString &entity);

    // Writes. On the GUI these run on the writer thread; the CLI may call them directly.
    qint64 addConnection(const QString &name, const QString &connectorId, const QJsonObject &config);
    bool updateConnection(qint64 id, const QString &name, const QJsonObject &config);
    bool removeConnection(qint64 id); // with its records, state, runs and views
    qint64 startRun(qint64 connectionId, const QString &mode, const QStringList &entities);
    // The counts stay those the chunks committed (addRunCommit); this records how the run ended.
    bool finishRun(qint64 runId, const QString &status, const QString &error,
                   const QJsonObject &entityResults = {});
    // In a chunk's transaction: `records` more of `entity` committed by the run.
    bool addRunCommit(qint64 runId, const QString &entity, qint64 records);
    // The connection's newest run before `beforeRunId` (0: the newest of all).
    std::optional<RunInfo> latestRun(qint64 connectionId, qint64 beforeRunId = 0);
    bool appendRunLog(qint64 runId, const QList<RunLogEntry> &entries);
    bool saveEntityState(qint64 connectionId, const EntityState &state);
    bool deleteEntityState(qint64 connectionId, const QString &entity);
    // Runs still marked "running" whose process is gone become "interrupted".
    int markStaleRuns();
    // Removes records of an entity not stamped with `generation` (end of a full refresh, I3).
    qint64 removeRecordsOlderThan(qint64 connectionId, const QString &entity, qint64 generation);
    // (Re)creates the entity's typed view from its schema (entityFields), and a child view per array of
    // objects, named by `childNames` ("lines.data" -> "lines") or after the field's path.
    bool refreshEntityView(qint64 connectionId, const QString &entity,
                           const QHash<QString, QString> &childNames = {});
    // The entity's inferred schema, in the order fields were first seen.
    QList<FieldStats> entityFields(qint64 connectionId, const QString &entity);
    static QList<FieldStats> entityFields(const QSqlDatabase &db, qint64 connectionId, const QString &entity);
    // In a chunk's transaction: adds what the chunk's records hold; `fullPass` also counts them for the
    // full refresh `generation`. Fields whose type this changes are described in `typeChanges`. `rows`, when
    // loaded, is taken for the entity's rows instead of reading them, and is left holding them as written.
    bool mergeEntityFields(qint64 connectionId, const QString &entity, qint64 generation, bool fullPass,
                           const QList<FieldStats> &observed, QStringList *typeChanges,
                           EntityFieldRows *rows = nullptr);
    // In the transaction ending a full refresh: its pass's counts become the schema.
    bool settleEntityFields(qint64 connectionId, const QString &entity, qint64 generation);

    bool setSetting(const QString &key, const QString &value);

    // The connection's sqlite3* for statements on the hot path, or nullptr when Qt's driver does not use the
    // SQLite library this binary links (then only QSqlQuery may touch the connection).
    void *sqliteHandle();

    bool transaction();
    bool commit();
    bool rollback();

private:
    bool loadEntityFieldRows(qint64 connectionId, const QString &entity, qint64 generation,
                             EntityFieldRows *rows);
    bool saveEntityFieldRows(qint64 connectionId, const QString &entity, const EntityFieldRows &rows,
                             const QList<int> &changed, bool fullPass, qint64 generation);
    // One row through SQLite's own statement (sqliteHandle() only).
    bool saveEntityFieldRow(qint64 connectionId, const QString &entity, const FieldStats &field,
                            const FieldCounts *pass, qint64 generation);
    void setError(const QSqlError &error);
    bool migrate();
    bool exec(const QString &sql);
    void dropEntityViews(const QString &connectionName, const QString &entity);

    // A statement prepared once on this connection and kept: the writer runs a few per committed page.
    QSqlQuery &prepared(std::unique_ptr<QSqlQuery> &slot, const QString &sql);

    QString m_location;
    QString m_connectionName;
    bool m_open = false;
    QString m_error;
    CatalogDialect::Failure m_failure = CatalogDialect::Failure::Other;
    std::unique_ptr<CatalogDialect> m_dialect;
    std::unique_ptr<QSqlQuery> m_saveState;
    std::unique_ptr<QSqlQuery> m_addRunCommit;
    void *m_saveFieldRaw = nullptr; // sqlite3_stmt*: the schema row upsert, bound without QVariants
};
