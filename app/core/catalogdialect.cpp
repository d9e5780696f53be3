#include "catalogdialect.h"

#include "postgresdialect.h"
#include "sqlitedialect.h"
#include "synclock.h"

#include <QUrl>

CatalogBackend CatalogLocation::backendOf(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) ||
                   location.startsWith(QLatin1String("postgres://"))
               ? CatalogBackend::Postgres
               : CatalogBackend::Sqlite;
}

QString CatalogLocation::display(const QString &location)
{
    if (backendOf(location) == CatalogBackend::Sqlite)
        return location;
    return QUrl(location).toString(QUrl::RemovePassword);
}

QString CatalogLocation::slug(const QString &location)
{
    const QUrl url(location);
    QString name = backendOf(location) == CatalogBackend::Sqlite
                       ? location
                       : QStringLiteral("%1-%2-%3")
                             .arg(url.host().isEmpty() ? QStringLiteral("localhost") : url.host())
                             .arg(url.port(5432))
                             .arg(url.path().mid(1));
    for (QChar &c : name) {
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('.'))
            c = QLatin1Char('_');
    }
    return name;
}

std::unique_ptr<CatalogDialect> CatalogDialect::create(CatalogBackend backend)
{
    if (backend == CatalogBackend::Postgres)
        return std::make_unique<PostgresDialect>();
    return std::make_unique<SqliteDialect>();
}

const CatalogDialect &CatalogDialect::of(CatalogBackend backend)
{
    static const SqliteDialect sqlite;
    static const PostgresDialect postgres;
    if (backend == CatalogBackend::Postgres)
        return postgres;
    return sqlite;
}

const CatalogDialect &CatalogDialect::of(const QSqlDatabase &db)
{
    return of(db.driverName() == QLatin1String("QPSQL") ? CatalogBackend::Postgres : CatalogBackend::Sqlite);
}

std::unique_ptr<SyncLocks> CatalogDialect::syncLocks(const QString &location)
{
    if (CatalogLocation::backendOf(location) == CatalogBackend::Postgres)
        return std::make_unique<PostgresSyncLocks>(location);
    return std::make_unique<FileSyncLocks>(location);
}
