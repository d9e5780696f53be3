#include "readonlysql.h"

#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

namespace ReadOnlySql {

QString problem(const QSqlDatabase &db, const QString &sql, QString *statementText)
{
    if (statementText)
        *statementText = sql;
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return {};
    sqlite3 *sqlite = *static_cast<sqlite3 *const *>(handle.constData());
    const QByteArray text = sql.toUtf8();
    sqlite3_stmt *statement = nullptr;
    const char *tail = nullptr;
    if (sqlite3_prepare_v2(sqlite, text.constData(), int(text.size()), &statement, &tail) != SQLITE_OK ||
        !statement) {
        sqlite3_finalize(statement);
        return {};
    }
    const bool reads = sqlite3_stmt_readonly(statement) != 0;
    if (statementText)
        *statementText = QString::fromUtf8(text.constData(), int(tail - text.constData()));
    const QByteArray first = QByteArray(sqlite3_sql(statement)).trimmed().split(' ').value(0).toUpper();
    sqlite3_finalize(statement);
    // What follows the first statement: only blanks, semicolons and comments may.
    sqlite3_stmt *next = nullptr;
    const char *rest = tail;
    while (rest && *rest) {
        if (sqlite3_prepare_v2(sqlite, rest, -1, &next, &rest) != SQLITE_OK || next) {
            sqlite3_finalize(next);
            return QStringLiteral("Only one statement at a time: run the statements one by one");
        }
    }
    if (!reads || first == "PRAGMA" || first == "ATTACH" || first == "DETACH" || first == "VACUUM")
        return QStringLiteral("PRAGMA, ATTACH and writes are not allowed in the read-only console; it only "
                              "reads (SELECT, WITH, EXPLAIN)");
    return {};
}

} // namespace ReadOnlySql
