// What a catalog's SQL engine does its own way. The Catalog and its writer speak to one CatalogDialect, so
// the engine's code has no "if SQLite / if PostgreSQL" branches: opening, the schema, the write lock, the
// upsert of records, the typed views and the per-connection sync locks differ, and live in sqlitedialect.cpp
// and postgresdialect.cpp. A dialect belongs to its Catalog's thread, as the Catalog does.
#pragma once

#include "connector.h"
#include "fieldschema.h"

#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

class SyncLocks;
enum class HistogramUnit;

// Stops the statement running on one read connection, from any thread (sqlite3_interrupt, PQcancel): how a
// stale sort or a slow console query is cut short. Lives as long as its connection.
class QueryCanceller
{
public:
    virtual ~QueryCanceller() = default;
    virtual void cancel() = 0;
};

enum class CatalogBackend { Sqlite, Postgres };

// Where a catalog lives, read from --catalog / MAKO_CONNECT_CATALOG: a SQLite file path, or a
// postgresql://user[:password]@host[:port]/db URL.
struct CatalogLocation
{
    static CatalogBackend backendOf(const QString &location);
    // For messages and logs: a URL loses its password; a path stays as it is.
    static QString display(const QString &location);
    // A file name (no folders) that stands for the location: "db.example.com-5432-team".
    static QString slug(const QString &location);
};

class CatalogDialect
{
public:
    // Busy: another session holds what this write needs; Cancelled: a QueryCanceller stopped the statement.
    enum class Failure { Other, Busy, Full, Cancelled };

    virtual ~CatalogDialect() = default;
    static std::unique_ptr<CatalogDialect> create(CatalogBackend backend);
    // A dialect for building SQL text and for the readers' const calls, shared by every thread.
    static const CatalogDialect &of(CatalogBackend backend);
    static const CatalogDialect &of(const QSqlDatabase &db); // by the connection's driver
    // The sync locks of catalogs at `location`: released by the OS or the server when the holder dies.
    static std::unique_ptr<SyncLocks> syncLocks(const QString &location);

    virtual CatalogBackend backend() const = 0;
    virtual QString driverName() const = 0;
    // Opens `db` (added with driverName()) on `location`; `error` says what to do when it cannot.
    virtual bool open(QSqlDatabase &db, const QString &location, QString *error) = 0;
    // Each entry moves the schema one version forward; both dialects have as many, so versions agree.
    virtual const QList<QStringList> &migrations() const = 0;
    // Starts the transaction that migrates, holding off other processes migrating the same catalog.
    virtual QStringList beginMigration() const = 0;
    // Starts a write transaction (SQLite takes its write lock up front, so it never upgrades a read lock).
    virtual QString beginWrite() const = 0;
    // A number that changes when another connection commits, or -1 when the engine cannot tell.
    virtual qint64 dataVersion(const QSqlDatabase &db) const = 0;
    // `UPDATE runs`, bound (records, now, key, key, records, runId): counts `records` more for one entity.
    virtual QString addRunCommitSql() const = 0;
    virtual QString runCountKey(const QString &entity) const = 0;
    // One bound LIKE pattern (escape '\'): the names of child views (those reading an array's elements).
    virtual QString childViewsSql() const = 0;
    // `UPDATE schedules`, bound (to, connectionId, from): moves last_fired from `from` (NULL-safe) to `to`,
    // passing over a row another session has locked, so two workers never claim one firing.
    virtual QString claimScheduleSql() const = 0;
    // The typed value of `path` inside `json` (a JSON column or expression), NULL when it does not fit.
    virtual QString typed(const FieldStats &field, const QString &json, const QString &path) const = 0;
    // The value as the API sent it.
    virtual QString raw(const QString &json, const QString &path) const = 0;
    // FROM and WHERE of a child view: records `r` joined to the elements `j` (j.value, j.position from 0) of
    // the array at `path`, objects only; `where` filters r.
    virtual QString childViewFrom(const QString &path, const QString &where) const = 0;
    virtual QString childPosition() const = 0; // the element's position in a child view's FROM
    // Upserts `records` of one entity in the open transaction, on (connection, entity, key).
    virtual bool upsertRecords(QSqlDatabase &db, qint64 connectionId, const QString &entity,
                               qint64 generation, const RecordBatch &records, QString *error,
                               Failure *failure) = 0;
    virtual Failure classify(const QSqlError &error) const = 0;

    // ---- The readers: records grid, exports, SQL console (each on a read-only connection of its own) ----

    // Opens `db` (added with driverName()) on `location` so that nothing run on it can write.
    virtual bool openReadOnly(QSqlDatabase &db, const QString &location, QString *error) const = 0;
    virtual std::unique_ptr<QueryCanceller> canceller(const QSqlDatabase &db) const = 0;
    // Why `sql`, typed by a person, may not run on a read-only connection (several statements, a PRAGMA),
    // or "" (syntax errors are left to the engine, whose message names them). `statement` gets the one
    // statement to run.
    virtual QString statementProblem(const QSqlDatabase &db, const QString &sql,
                                     QString *statement) const = 0;
    // Run around each statement a person typed: PostgreSQL's READ ONLY transaction, rolled back after, so
    // not even a SET outlives it; nothing on SQLite, whose read-only connection cannot change anything.
    virtual QString beginStatement() const { return {}; }
    virtual QString endStatement() const { return {}; }
    // (type, name) of the catalog's tables and views, type "table" or "view", ordered.
    virtual QString objectsSql() const = 0;
    // (key, JSON type) of the top-level fields of up to 100 records of one entity (bound: connection,
    // entity): the columns of an entity synced before schemas were kept. Types "object", "array", others.
    virtual QString sampleFieldsSql() const = 0;
    // The record key as an integer (NULL when it is not one), for sorting a numeric key.
    virtual QString integerKey() const = 0;
    // What a grid cell or an export shows of a typed field: typed(), with timestamps and dates as ISO text.
    virtual QString shown(const FieldStats &field, const QString &json, const QString &path) const
    {
        return typed(field, json, path);
    }
    // The JSON text of the value at `path` ("abc" with its quotes, true, {"a":1}); NULL when missing.
    virtual QString jsonText(const QString &json, const QString &path) const = 0;
    // A record's JSON as the catalog gives it back (`data`), compact.
    virtual QByteArray recordJson(const QVariant &data) const { return data.toByteArray(); }
    virtual QString caseInsensitiveLike() const = 0; // "LIKE" (SQLite's is) or "ILIKE"
    // True when any top-level value of `records.data` matches one bound LIKE pattern (escape '\').
    virtual QString anyValueLike() const = 0;
    // A cheap test that the record's JSON text contains one bound LIKE pattern (case-insensitive), run before
    // anyValueLike(); "" when the engine has none cheaper than anyValueLike() itself.
    virtual QString dataContains() const { return {}; }
    virtual QString notEqual() const = 0;       // NULL-safe "is not": SQLite's IS NOT
    virtual QString numericOperand() const = 0; // one bound number, compared exactly with any number column
    // The largest integer not above `expr` (a number of 0 or more), as an integer.
    virtual QString floorOf(const QString &expr) const = 0;
    // The day, week (its Monday), month or year of the timestamp or date `value` (as typed() gives it) as
    // ISO text: "2024-12-02", "2024-12", "2024".
    virtual QString dateBucket(const QString &value, HistogramUnit unit, FieldType type) const = 0;
    // ORDER BY direction words that put NULLs first ascending and last descending, on both engines.
    virtual QString direction(Qt::SortOrder order) const = 0;

    // The connections whose sync lock some session holds now, when the engine can tell (PostgreSQL's
    // advisory locks are visible to every session; SQLite's file locks are not).
    virtual std::optional<QSet<qint64>> heldSyncLocks(const QSqlDatabase &) const { return std::nullopt; }
    // The connection's sqlite3* for statements on the hot path, or nullptr (another engine, or Qt's driver
    // uses another SQLite library than this binary links).
    virtual void *sqliteHandle(const QSqlDatabase &) { return nullptr; }
};
