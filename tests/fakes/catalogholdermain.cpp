// Another program holding a catalog's write lock, for the tests: opens the SQLite file, takes the write lock
// (BEGIN IMMEDIATE), prints "locked", and keeps it until a line arrives on standard input (or it ends).
#include <QCoreApplication>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: catalog-holder CATALOG\n");
        return 2;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"));
    db.setDatabaseName(QString::fromLocal8Bit(argv[1]));
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
    QSqlQuery q(db);
    if (!db.open() || !q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        std::fprintf(stderr, "catalog-holder: %s\n", qPrintable(q.lastError().text()));
        return 1;
    }
    std::printf("locked\n");
    std::fflush(stdout);
    QFile input;
    input.open(stdin, QIODevice::ReadOnly);
    input.readLine();
    q.exec(QStringLiteral("ROLLBACK"));
    std::printf("released\n");
    return 0;
}
