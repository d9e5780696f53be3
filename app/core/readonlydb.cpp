#include "readonlydb.h"

#include <QDateTime>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>
#include <limits>

namespace ReadOnlyDb {

QString uniqueName(const QString &prefix)
{
    static std::atomic<int> counter{0};
    return QStringLiteral("%1-%2").arg(prefix).arg(++counter);
}

QSqlDatabase open(const QString &location, const QString &name, QString *error)
{
    const CatalogDialect &dialect = CatalogDialect::of(CatalogLocation::backendOf(location));
    QSqlDatabase db = QSqlDatabase::addDatabase(dialect.driverName(), name);
    QString why;
    if (!dialect.openReadOnly(db, location, &why) && error)
        *error = why;
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

bool run(QSqlQuery &query, const QString &sql, const QVariantList &binds, QString *error)
{
    query.setForwardOnly(true);
    if (query.prepare(sql)) {
        for (const QVariant &value : binds)
            query.addBindValue(value);
        if (query.exec())
            return true;
    }
    *error = query.lastError().text();
    return false;
}

std::unique_ptr<QueryCanceller> canceller(const QSqlDatabase &db)
{
    return db.isOpen() ? CatalogDialect::of(db).canceller(db) : nullptr;
}

Outcome execStatement(const QSqlDatabase &db, QSqlQuery &query, const QString &sql, QString *error)
{
    const CatalogDialect &dialect = CatalogDialect::of(db);
    QString statement;
    *error = dialect.statementProblem(db, sql, &statement);
    if (!error->isEmpty())
        return Outcome::Refused;
    if (const QString begin = dialect.beginStatement(); !begin.isEmpty())
        QSqlQuery(db).exec(begin);
    query.setForwardOnly(true);
    if (query.exec(statement))
        return Outcome::Ran;
    const QSqlError failure = query.lastError();
    *error = failure.databaseText().isEmpty() ? failure.text() : failure.databaseText();
    query.finish();
    finishStatement(db);
    return Outcome::Failed;
}

void finishStatement(const QSqlDatabase &db)
{
    if (const QString end = CatalogDialect::of(db).endStatement(); !end.isEmpty())
        QSqlQuery(db).exec(end);
}

QVariant value(const QSqlQuery &query, int column)
{
    const QVariant v = query.value(column);
    if (v.isNull())
        return v;
    switch (v.typeId()) {
    case QMetaType::ULongLong:
        return v.toULongLong() <= quint64(std::numeric_limits<qint64>::max()) ? QVariant(v.toLongLong()) : v;
    case QMetaType::Int:
    case QMetaType::LongLong:
        return v.toLongLong();
    case QMetaType::Float:
        return v.toDouble();
    case QMetaType::QDateTime: {
        const QDateTime utc = v.toDateTime().toUTC();
        return utc.toString(utc.time().msec() ? QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")
                                              : QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
    }
    case QMetaType::QDate:
        return v.toDate().toString(Qt::ISODate);
    default:
        return v;
    }
}

} // namespace ReadOnlyDb
