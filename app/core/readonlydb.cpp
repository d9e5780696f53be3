#include "readonlydb.h"

#include "catalogdialect.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

#include <atomic>

namespace ReadOnlyDb {

QString uniqueName(const QString &prefix)
{
    static std::atomic<int> counter{0};
    return QStringLiteral("%1-%2").arg(prefix).arg(++counter);
}

QString unsupported(const QString &location)
{
    if (CatalogLocation::backendOf(location) == CatalogBackend::Sqlite)
        return {};
    return QStringLiteral(
        "The records grid, the SQL console and exports read SQLite catalogs only, for now; on "
        "this PostgreSQL catalog, query its views (connection__entity) with psql or another "
        "SQL tool");
}

QSqlDatabase open(const QString &path, const QString &name, QString *error)
{
    if (const QString why = unsupported(path); !why.isEmpty()) {
        if (error)
            *error = why;
        return {};
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        if (error)
            *error = db.lastError().text();
        return db;
    }
    QSqlQuery pragma(db);
    pragma.exec(QStringLiteral("PRAGMA query_only = 1"));
    return db;
}

void close(const QString &name)
{
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void *sqliteHandle(const QSqlDatabase &db)
{
    if (!db.isValid() || !db.driver())
        return nullptr;
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

void interrupt(void *handle)
{
    if (handle)
        sqlite3_interrupt(static_cast<sqlite3 *>(handle));
}

} // namespace ReadOnlyDb
