// What the read-only SQL console (the app's and `mako-connect-cli sql`) accepts: one statement that only
// reads. Checked before running it, so people get a sentence instead of SQLite's "not an error" or a
// misleading "disk I/O error" from a refused PRAGMA.
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace ReadOnlySql {

// Why `sql` may not run in the read-only console, or "" when it may (syntax errors are left to SQLite,
// whose message names them). `db` is an open SQLite connection. `statement` (optional) gets the one
// statement to run, without trailing semicolons or comments, which Qt's driver would refuse.
QString problem(const QSqlDatabase &db, const QString &sql, QString *statement = nullptr);

} // namespace ReadOnlySql
