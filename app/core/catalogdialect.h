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
    enum class Failure { Other, Busy, Full }; // Busy: another session holds what this write needs

    virtual ~CatalogDialect() = default;
    static std::unique_ptr<CatalogDialect> create(CatalogBackend backend);
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
    // The connections whose sync lock some session holds now, when the engine can tell (PostgreSQL's
    // advisory locks are visible to every session; SQLite's file locks are not).
    virtual std::optional<QSet<qint64>> heldSyncLocks(const QSqlDatabase &) const { return std::nullopt; }
    // The connection's sqlite3* for statements on the hot path, or nullptr (another engine, or Qt's driver
    // uses another SQLite library than this binary links).
    virtual void *sqliteHandle(const QSqlDatabase &) { return nullptr; }
};
