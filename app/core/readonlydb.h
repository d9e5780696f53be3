// Read-only SQLite connections for the GUI's readers (records loader, exporter, SQL console). Each is
// opened with QSQLITE_OPEN_READONLY, so it cannot write whatever SQL it runs (I5); it belongs to the thread
// that opened it, like every QSqlDatabase connection.
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace ReadOnlyDb {
// A fresh connection name unique in the process ("<prefix>-<n>").
QString uniqueName(const QString &prefix);
// Opens `path` read-only as connection `name` for the calling thread. Check isOpen(); `error` says why not.
// Why `location` cannot be read this way ("" when it can): a PostgreSQL catalog, for now.
QString unsupported(const QString &location);
QSqlDatabase open(const QString &path, const QString &name, QString *error = nullptr);
// Closes and removes the connection (call once no QSqlQuery on it is alive).
void close(const QString &name);
// The sqlite3* behind a connection, for sqlite3_interrupt() from another thread; nullptr if not SQLite.
void *sqliteHandle(const QSqlDatabase &db);
// Aborts the statement running on `handle` (thread-safe; a no-op when nothing runs).
void interrupt(void *handle);
} // namespace ReadOnlyDb
