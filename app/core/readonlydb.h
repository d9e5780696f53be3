// Read-only catalog connections for the readers (records grid, exports, SQL console): a SQLite file opened
// QSQLITE_OPEN_READONLY, or a PostgreSQL session whose transactions read only; nothing run on one can write
// (I5). A connection belongs to the thread that opened it, like every QSqlDatabase connection.
#pragma once

#include "catalogdialect.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace ReadOnlyDb {
// A fresh connection name unique in the process ("<prefix>-<n>").
QString uniqueName(const QString &prefix);
// Opens the catalog at `location` (a file or a postgresql:// URL) read-only as connection `name` for the
// calling thread. Check isOpen(); `error` says why not.
QSqlDatabase open(const QString &location, const QString &name, QString *error = nullptr);
// Closes and removes the connection (call once no QSqlQuery on it is alive).
void close(const QString &name);
// Prepares `sql` forward-only on `query`, binds `binds` in order and runs it; `error` says why not.
bool run(QSqlQuery &query, const QString &sql, const QVariantList &binds, QString *error);
// Stops the statement running on `db` from another thread; nullptr when the engine cannot.
std::unique_ptr<QueryCanceller> canceller(const QSqlDatabase &db);
inline void interrupt(QueryCanceller *canceller)
{
    if (canceller)
        canceller->cancel();
}
// Runs a statement a person typed, in the dialect's read-only wrapping (CatalogDialect::beginStatement):
// refused when it is more than one statement or may write. `query` is forward-only and left on its rows;
// call finishStatement() once done with them. `error` gets the refusal, or the engine's own words.
enum class Outcome { Ran, Refused, Failed };
Outcome execStatement(const QSqlDatabase &db, QSqlQuery &query, const QString &sql, QString *error);
void finishStatement(const QSqlDatabase &db);
// Column `column` of the current row, typed alike on both engines: integers as qlonglong (PostgreSQL's
// driver gives qulonglong), timestamps and dates as the ISO-8601 text SQLite's views hold.
QVariant value(const QSqlQuery &query, int column);
} // namespace ReadOnlyDb
