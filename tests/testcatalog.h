// Where a test's catalog lives: a SQLite file in the test's folder or, under tests/with-postgres.sh
// (MAKO_TEST_POSTGRES holds the throwaway server's URL), a database of its own on that server. The few
// statements tests run behind the catalog's back differ per engine and are here.
#pragma once

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QUrl>
#include <QtGlobal>

namespace TestCatalogs {

inline bool onPostgres()
{
    return !qEnvironmentVariableIsEmpty("MAKO_TEST_POSTGRES");
}

// `sqlitePath` on SQLite; else the URL of a new, empty database.
inline QString fresh(const QString &sqlitePath)
{
    if (!onPostgres())
        return sqlitePath;
    static int counter = 0;
    const QString base = qEnvironmentVariable("MAKO_TEST_POSTGRES");
    const QString name = QStringLiteral("mako_%1_%2").arg(QCoreApplication::applicationPid()).arg(++counter);
    const QString connection = QStringLiteral("mako-test-admin");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        const QUrl url(base);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setDatabaseName(QStringLiteral("postgres"));
        if (!db.open())
            qFatal("cannot reach the test PostgreSQL server: %s", qPrintable(db.lastError().text()));
        QSqlQuery create(db);
        if (!create.exec(QStringLiteral("CREATE DATABASE ") + name))
            qFatal("cannot create a test database: %s", qPrintable(create.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return base + QLatin1Char('/') + name;
}

// SQL reading the text member `name` of the JSON column `column`.
inline QString jsonText(const QString &column, const QString &name)
{
    return onPostgres() ? QStringLiteral("(%1 ->> '%2')").arg(column, name)
                        : QStringLiteral("json_extract(%1, '$.%2')").arg(column, name);
}

// Makes inserts into `table` matching `condition` (on NEW) fail with `message`: a write failing mid-chunk.
inline bool failInserts(const QSqlDatabase &db, const QString &table, const QString &condition,
                        const QString &message)
{
    QSqlQuery q(db);
    if (!onPostgres())
        return q.exec(QStringLiteral("CREATE TRIGGER boom BEFORE INSERT ON %1 WHEN %2 BEGIN SELECT "
                                     "RAISE(ABORT, '%3'); END")
                          .arg(table, condition, message));
    return q.exec(QStringLiteral("CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ "
                                 "BEGIN RAISE EXCEPTION '%1'; END $$")
                      .arg(message)) &&
           q.exec(QStringLiteral("CREATE TRIGGER boom BEFORE INSERT ON %1 FOR EACH ROW WHEN (%2) EXECUTE "
                                 "FUNCTION boom()")
                      .arg(table, condition));
}

inline bool stopFailingInserts(const QSqlDatabase &db, const QString &table)
{
    return QSqlQuery(db).exec(onPostgres() ? QStringLiteral("DROP TRIGGER boom ON %1").arg(table)
                                           : QStringLiteral("DROP TRIGGER boom"));
}

} // namespace TestCatalogs
