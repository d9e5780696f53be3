#include "catalog.h"

#include "jsonscan.h"
#include "sqlitedialect.h"

#include <QSet>

#include <algorithm>

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QSysInfo>
#include <QThread>

#include <csignal>
#include <sqlite3.h>
#include <unistd.h>

namespace {

QAtomicInteger<quint64> s_connectionCounter;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong());
}

QString jsonText(const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined())
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
}

QJsonValue jsonValue(const QVariant &text)
{
    if (text.isNull() || text.toString().isEmpty())
        return QJsonValue();
    const QJsonDocument doc = QJsonDocument::fromJson(text.toString().toUtf8());
    return doc.isArray() && !doc.array().isEmpty() ? doc.array().at(0) : QJsonValue();
}

QJsonObject jsonObject(const QVariant &text)
{
    return QJsonDocument::fromJson(text.toString().toUtf8()).object();
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// A null QString binds as SQL NULL; NOT NULL text columns want "" instead.
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

// SQLite says "UNIQUE constraint failed"; PostgreSQL's SQLSTATE 23505 is unique_violation.
bool isUniqueViolation(const QSqlError &error)
{
    return error.text().contains(QLatin1String("UNIQUE")) ||
           error.nativeErrorCode() == QLatin1String("23505");
}

QString sqlIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString slug(const QString &text)
{
    QString out;
    for (const QChar c : text.toLower()) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            out += c;
        else if (!out.endsWith(QLatin1Char('_')))
            out += QLatin1Char('_');
    }
    while (out.endsWith(QLatin1Char('_')))
        out.chop(1);
    return out.isEmpty() ? QStringLiteral("x") : out;
}

} // namespace

Catalog::Catalog(const QString &location)
    : m_location(location)
    , m_dialect(CatalogDialect::create(CatalogLocation::backendOf(location)))
{
    m_connectionName = QStringLiteral("mako-catalog-%1").arg(s_connectionCounter.fetchAndAddRelaxed(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(m_dialect->driverName(), m_connectionName);
    if (!db.isValid()) {
        m_error =
            QStringLiteral("Qt's %1 driver is not installed; install it (Debian: %2) to open %3")
                .arg(m_dialect->driverName(),
                     m_dialect->backend() == CatalogBackend::Postgres ? QStringLiteral("libqt6sql6-psql")
                                                                      : QStringLiteral("libqt6sql6-sqlite"),
                     CatalogLocation::display(location));
        return;
    }
    if (!m_dialect->open(db, location, &m_error))
        return;
    m_open = migrate();
}

Catalog::~Catalog()
{
    if (m_saveFieldRaw)
        sqlite3_finalize(static_cast<sqlite3_stmt *>(m_saveFieldRaw));
    m_saveState.reset();
    m_addRunCommit.reset();
    m_dialect.reset(); // its statements go before the connection
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QSqlQuery &Catalog::prepared(std::unique_ptr<QSqlQuery> &slot, const QString &sql)
{
    if (!slot) {
        slot = std::make_unique<QSqlQuery>(database());
        slot->prepare(sql);
    }
    return *slot;
}

void *Catalog::sqliteHandle()
{
    return m_dialect->sqliteHandle(database());
}

qint64 Catalog::dataVersion()
{
    return m_dialect->dataVersion(database());
}

CatalogBackend Catalog::backend() const
{
    return m_dialect->backend();
}

void Catalog::setError(const QSqlError &error)
{
    m_error = error.text();
    m_failure = m_dialect->classify(error);
}

QString Catalog::connectionsStamp()
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral(
            "SELECT (SELECT count(*) || ':' || coalesce(max(updated_at), 0) FROM connections) "
            "|| '/' || (SELECT coalesce(max(id), 0) || ':' || count(finished_at) FROM runs)")) ||
        !q.next())
        return {};
    return q.value(0).toString();
}

QSqlDatabase Catalog::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

QString Catalog::defaultLocation()
{
    const QString env = qEnvironmentVariable("MAKO_CONNECT_CATALOG");
    if (!env.isEmpty())
        return env;
    QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.local/share");
    return dir + QStringLiteral("/mako-connect/catalog.sqlite");
}

int Catalog::schemaVersion()
{
    return int(SqliteDialect().migrations().size()); // each dialect has as many steps
}

bool Catalog::exec(const QString &sql)
{
    QSqlQuery query(database());
    if (!query.exec(sql)) {
        setError(query.lastError());
        return false;
    }
    m_failure = CatalogDialect::Failure::Other;
    return true;
}

bool Catalog::migrate()
{
    QSqlDatabase db = database();
    QSqlQuery query(db);
    // An up-to-date catalog is only read: readers must not queue behind a running sync for the write lock.
    if (query.exec(QStringLiteral("SELECT version FROM schema_version")) && query.next() &&
        query.value(0).toInt() == schemaVersion())
        return true;
    query.finish();
    for (const QString &begin : m_dialect->beginMigration()) {
        if (!query.exec(begin)) {
            m_error = QStringLiteral("Cannot write to the catalog %1: %2")
                          .arg(CatalogLocation::display(m_location), query.lastError().text());
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            return false;
        }
    }
    query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    query.exec(QStringLiteral("SELECT version FROM schema_version"));
    int version = query.next() ? query.value(0).toInt() : 0;
    const bool hadRow = version > 0;
    if (version > schemaVersion()) {
        query.exec(QStringLiteral("ROLLBACK"));
        m_error =
            QStringLiteral("The catalog %1 was written by a newer Mako Connect (schema %2); update the app")
                .arg(CatalogLocation::display(m_location))
                .arg(version);
        return false;
    }
    for (; version < schemaVersion(); ++version) {
        for (const QString &statement : m_dialect->migrations().at(version)) {
            if (!query.exec(statement)) {
                m_error = QStringLiteral("Catalog migration %1 failed: %2")
                              .arg(version + 1)
                              .arg(query.lastError().text());
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
                return false;
            }
        }
    }
    query.exec(hadRow ? QStringLiteral("UPDATE schema_version SET version = %1").arg(version)
                      : QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(version));
    if (!query.exec(QStringLiteral("COMMIT"))) {
        m_error = query.lastError().text();
        return false;
    }
    return true;
}

bool Catalog::transaction()
{
    return exec(m_dialect->beginWrite());
}

bool Catalog::commit()
{
    return exec(QStringLiteral("COMMIT"));
}

bool Catalog::rollback()
{
    return exec(QStringLiteral("ROLLBACK"));
}

static ConnectionInfo connectionFrom(const QSqlQuery &q)
{
    ConnectionInfo info;
    info.id = q.value(0).toLongLong();
    info.name = q.value(1).toString();
    info.connectorId = q.value(2).toString();
    info.config = jsonObject(q.value(3));
    info.createdAt = fromMs(q.value(4));
    info.updatedAt = fromMs(q.value(5));
    return info;
}

static const char kConnectionColumns[] =
    "SELECT id, name, connector_id, config, created_at, updated_at FROM connections";

QList<ConnectionInfo> Catalog::connections()
{
    QList<ConnectionInfo> list;
    QSqlQuery q(database());
    q.exec(QString::fromLatin1(kConnectionColumns) + QStringLiteral(" ORDER BY lower(name), name"));
    while (q.next())
        list.append(connectionFrom(q));
    return list;
}

std::optional<ConnectionInfo> Catalog::connection(const QString &name)
{
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kConnectionColumns) + QStringLiteral(" WHERE name = ?"));
    q.addBindValue(name);
    if (q.exec() && q.next())
        return connectionFrom(q);
    return std::nullopt;
}

std::optional<ConnectionInfo> Catalog::connectionById(qint64 id)
{
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kConnectionColumns) + QStringLiteral(" WHERE id = ?"));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return connectionFrom(q);
    return std::nullopt;
}

static RunInfo runFrom(const QSqlQuery &q)
{
    RunInfo run;
    run.id = q.value(0).toLongLong();
    run.connectionId = q.value(1).toLongLong();
    run.status = q.value(2).toString();
    run.mode = q.value(3).toString();
    run.entities = q.value(4).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    run.startedAt = fromMs(q.value(5));
    run.finishedAt = fromMs(q.value(6));
    run.records = q.value(7).toLongLong();
    run.entityCounts = jsonObject(q.value(8));
    run.error = q.value(9).toString();
    run.pid = q.value(10).toLongLong();
    run.lastCommitAt = fromMs(q.value(11));
    run.entityResults = jsonObject(q.value(12));
    run.host = q.value(13).toString();
    run.removed = q.value(14).toLongLong();
    return run;
}

static const char kRunColumns[] =
    "SELECT id, connection_id, status, mode, entities, started_at, finished_at, "
    "records, entity_counts, error, pid, last_commit_at, entity_results, host, removed FROM runs";

bool Catalog::addRunRemoved(qint64 runId, qint64 removed)
{
    if (removed <= 0)
        return true;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE runs SET removed = removed + ? WHERE id = ?"));
    q.addBindValue(removed);
    q.addBindValue(runId);
    if (q.exec())
        return true;
    setError(q.lastError());
    return false;
}

QList<RunInfo> Catalog::allRuns(int limit, const QString &status)
{
    QList<RunInfo> list;
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kRunColumns) +
              (status.isEmpty() ? QStringLiteral(" ORDER BY id DESC LIMIT ?")
                                : QStringLiteral(" WHERE status = ? ORDER BY id DESC LIMIT ?")));
    if (!status.isEmpty())
        q.addBindValue(status);
    q.addBindValue(limit);
    q.exec();
    while (q.next())
        list.append(runFrom(q));
    return list;
}

QList<RunInfo> Catalog::runs(qint64 connectionId, int limit)
{
    QList<RunInfo> list;
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kRunColumns) +
              QStringLiteral(" WHERE connection_id = ? ORDER BY id DESC LIMIT ?"));
    q.addBindValue(connectionId);
    q.addBindValue(limit);
    q.exec();
    while (q.next())
        list.append(runFrom(q));
    return list;
}

std::optional<RunInfo> Catalog::run(qint64 runId)
{
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kRunColumns) + QStringLiteral(" WHERE id = ?"));
    q.addBindValue(runId);
    if (q.exec() && q.next())
        return runFrom(q);
    return std::nullopt;
}

QList<RunLogEntry> Catalog::runLog(qint64 runId)
{
    QList<RunLogEntry> list;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT at, level, entity, message FROM run_log WHERE run_id = ? ORDER BY id"));
    q.addBindValue(runId);
    q.exec();
    while (q.next())
        list.append(
            {fromMs(q.value(0)), q.value(1).toString(), q.value(2).toString(), q.value(3).toString()});
    return list;
}

static EntityState entityStateFrom(const QSqlQuery &q)
{
    EntityState s;
    s.entity = q.value(0).toString();
    s.status = q.value(1).toString();
    s.mode = q.value(2).toString();
    s.generation = q.value(3).toLongLong();
    s.since = jsonValue(q.value(4));
    s.nextSince = jsonValue(q.value(5));
    s.state = FetchState::fromJson(jsonObject(q.value(6)));
    s.runId = q.value(7).toLongLong();
    s.updatedAt = fromMs(q.value(8));
    return s;
}

static const char kStateColumns[] =
    "SELECT entity, status, mode, generation, since, next_since, state, run_id, "
    "updated_at FROM sync_state";

QList<EntityState> Catalog::entityStates(qint64 connectionId)
{
    QList<EntityState> list;
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kStateColumns) +
              QStringLiteral(" WHERE connection_id = ? ORDER BY entity"));
    q.addBindValue(connectionId);
    q.exec();
    while (q.next())
        list.append(entityStateFrom(q));
    return list;
}

std::optional<EntityState> Catalog::entityState(qint64 connectionId, const QString &entity)
{
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kStateColumns) + QStringLiteral(" WHERE connection_id = ? AND entity = ?"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    if (q.exec() && q.next())
        return entityStateFrom(q);
    return std::nullopt;
}

qint64 Catalog::recordCount(qint64 connectionId, const QString &entity)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT count(*) FROM records WHERE connection_id = ? AND entity = ?"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

QStringList Catalog::syncedEntities(qint64 connectionId)
{
    // Entities with a sync state: cheaper than DISTINCT over the records table.
    QStringList list;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT entity FROM sync_state WHERE connection_id = ? ORDER BY entity"));
    q.addBindValue(connectionId);
    q.exec();
    while (q.next())
        list.append(q.value(0).toString());
    return list;
}

QString Catalog::setting(const QString &key)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT value FROM settings WHERE key = ?"));
    q.addBindValue(key);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

QHash<qint64, Schedule> Catalog::schedules()
{
    QHash<qint64, Schedule> out;
    QSqlQuery q(database());
    q.exec(QStringLiteral("SELECT connection_id, spec, time_zone, set_at, last_fired FROM schedules"));
    while (q.next()) {
        QString unread;
        auto schedule = Schedule::fromSpec(q.value(1).toString(), q.value(2).toString().toUtf8(), &unread);
        if (!schedule)
            continue; // written by a newer version: left alone, not run
        schedule->setAt = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong(), Qt::UTC);
        if (!q.value(4).isNull())
            schedule->lastFired = QDateTime::fromMSecsSinceEpoch(q.value(4).toLongLong(), Qt::UTC);
        out.insert(q.value(0).toLongLong(), *schedule);
    }
    return out;
}

Schedule Catalog::schedule(qint64 connectionId)
{
    return schedules().value(connectionId);
}

bool Catalog::setSchedule(qint64 connectionId, const Schedule &schedule)
{
    QSqlQuery q(database());
    if (!schedule.isOn()) {
        q.prepare(QStringLiteral("DELETE FROM schedules WHERE connection_id = ?"));
        q.addBindValue(connectionId);
    } else {
        q.prepare(QStringLiteral("INSERT INTO schedules (connection_id, spec, time_zone, set_at) VALUES "
                                 "(?, ?, ?, ?) ON CONFLICT (connection_id) DO UPDATE SET spec = "
                                 "excluded.spec, time_zone = excluded.time_zone, set_at = excluded.set_at"));
        q.addBindValue(connectionId);
        q.addBindValue(schedule.spec());
        q.addBindValue(schedule.timeZone.isEmpty() ? QVariant() : QString::fromUtf8(schedule.timeZone));
        q.addBindValue(schedule.setAt.toMSecsSinceEpoch());
    }
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return true;
}

bool Catalog::markScheduleFired(qint64 connectionId, const QDateTime &at)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE schedules SET last_fired = ? WHERE connection_id = ?"));
    q.addBindValue(at.toMSecsSinceEpoch());
    q.addBindValue(connectionId);
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return true;
}

bool Catalog::claimScheduleFiring(qint64 connectionId, const QDateTime &lastFired, const QDateTime &at)
{
    const auto ms = [](const QDateTime &t) {
        return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant();
    };
    QSqlQuery q(database());
    q.prepare(m_dialect->claimScheduleSql());
    q.addBindValue(ms(at));
    q.addBindValue(connectionId);
    q.addBindValue(ms(lastFired));
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return q.numRowsAffected() == 1;
}

bool Catalog::setSetting(const QString &key, const QString &value)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(value);
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return true;
}

QString Catalog::viewName(const QString &connectionName, const QString &entity)
{
    return slug(connectionName) + QStringLiteral("__") + slug(entity);
}

qint64 Catalog::addConnection(const QString &name, const QString &connectorId, const QJsonObject &config)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT INTO connections (name, connector_id, config, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?) RETURNING id"));
    const qint64 now = nowMs();
    q.addBindValue(name);
    q.addBindValue(connectorId);
    q.addBindValue(compact(config));
    q.addBindValue(now);
    q.addBindValue(now);
    if (!q.exec() || !q.next()) {
        m_error =
            isUniqueViolation(q.lastError())
                ? QStringLiteral("A connection named \"%1\" already exists; choose another name").arg(name)
                : q.lastError().text();
        return 0;
    }
    return q.value(0).toLongLong();
}

bool Catalog::updateConnection(qint64 id, const QString &name, const QJsonObject &config)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE connections SET name = ?, config = ?, updated_at = ? WHERE id = ?"));
    q.addBindValue(name);
    q.addBindValue(compact(config));
    q.addBindValue(nowMs());
    q.addBindValue(id);
    if (!q.exec()) {
        m_error =
            isUniqueViolation(q.lastError())
                ? QStringLiteral("A connection named \"%1\" already exists; choose another name").arg(name)
                : q.lastError().text();
        return false;
    }
    return q.numRowsAffected() == 1;
}

bool Catalog::removeConnection(qint64 id)
{
    const auto info = connectionById(id);
    if (!info)
        return false;
    const QStringList entities = syncedEntities(id);
    if (!transaction())
        return false;
    QSqlQuery q(database());
    for (const QString &entity : entities)
        dropEntityViews(info->name, entity);
    const QStringList statements{
        QStringLiteral("DELETE FROM records WHERE connection_id = ?"),
        QStringLiteral("DELETE FROM sync_state WHERE connection_id = ?"),
        QStringLiteral("DELETE FROM entity_fields WHERE connection_id = ?"),
        QStringLiteral("DELETE FROM schedules WHERE connection_id = ?"),
        QStringLiteral("DELETE FROM run_log WHERE run_id IN (SELECT id FROM runs WHERE connection_id = ?)"),
        QStringLiteral("DELETE FROM runs WHERE connection_id = ?"),
        QStringLiteral("DELETE FROM connections WHERE id = ?"),
    };
    for (const QString &sql : statements) {
        q.prepare(sql);
        q.addBindValue(id);
        if (!q.exec()) {
            setError(q.lastError());
            rollback();
            return false;
        }
    }
    return commit();
}

qint64 Catalog::startRun(qint64 connectionId, const QString &mode, const QStringList &entities)
{
    QSqlQuery q(database());
    q.prepare(
        QStringLiteral("INSERT INTO runs (connection_id, status, mode, entities, started_at, pid, host) "
                       "VALUES (?, 'running', ?, ?, ?, ?, ?) RETURNING id"));
    q.addBindValue(connectionId);
    q.addBindValue(text(mode));
    q.addBindValue(text(entities.join(QLatin1Char(','))));
    q.addBindValue(nowMs());
    q.addBindValue(QCoreApplication::applicationPid());
    q.addBindValue(QSysInfo::machineHostName());
    if (!q.exec() || !q.next()) {
        setError(q.lastError());
        return 0;
    }
    return q.value(0).toLongLong();
}

bool Catalog::finishRun(qint64 runId, const QString &status, const QString &error,
                        const QJsonObject &entityResults)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE runs SET status = ?, finished_at = ?, error = ?, entity_results = ? "
                             "WHERE id = ?"));
    q.addBindValue(status);
    q.addBindValue(nowMs());
    q.addBindValue(error.isEmpty() ? QVariant() : QVariant(error));
    q.addBindValue(entityResults.isEmpty() ? QVariant() : QVariant(compact(entityResults)));
    q.addBindValue(runId);
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return true;
}

bool Catalog::addRunCommit(qint64 runId, const QString &entity, qint64 records)
{
    QSqlQuery &q = prepared(m_addRunCommit, m_dialect->addRunCommitSql());
    const QString key = m_dialect->runCountKey(entity);
    q.addBindValue(records);
    q.addBindValue(nowMs());
    q.addBindValue(key);
    q.addBindValue(key);
    q.addBindValue(records);
    q.addBindValue(runId);
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return true;
}

std::optional<RunInfo> Catalog::latestRun(qint64 connectionId, qint64 beforeRunId)
{
    QSqlQuery q(database());
    q.prepare(QString::fromLatin1(kRunColumns) +
              QStringLiteral(" WHERE connection_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT 1"));
    q.addBindValue(connectionId);
    q.addBindValue(beforeRunId);
    q.addBindValue(beforeRunId);
    if (q.exec() && q.next())
        return runFrom(q);
    return std::nullopt;
}

bool Catalog::appendRunLog(qint64 runId, const QList<RunLogEntry> &entries)
{
    QSqlQuery q(database());
    q.prepare(
        QStringLiteral("INSERT INTO run_log (run_id, at, level, entity, message) VALUES (?, ?, ?, ?, ?)"));
    for (const RunLogEntry &entry : entries) {
        q.addBindValue(runId);
        q.addBindValue(entry.at.isValid() ? entry.at.toMSecsSinceEpoch() : nowMs());
        q.addBindValue(entry.level);
        q.addBindValue(entry.entity);
        q.addBindValue(entry.message);
        if (!q.exec()) {
            setError(q.lastError());
            return false;
        }
    }
    return true;
}

bool Catalog::saveEntityState(qint64 connectionId, const EntityState &s)
{
    QSqlQuery &q = prepared(
        m_saveState,
        QStringLiteral("INSERT INTO sync_state (connection_id, entity, status, mode, generation, since, "
                       "next_since, state, run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (connection_id, entity) DO UPDATE SET status = excluded.status, "
                       "mode = excluded.mode, generation = excluded.generation, since = excluded.since, "
                       "next_since = excluded.next_since, state = excluded.state, run_id = excluded.run_id, "
                       "updated_at = excluded.updated_at"));
    q.addBindValue(connectionId);
    q.addBindValue(s.entity);
    q.addBindValue(text(s.status));
    q.addBindValue(text(s.mode));
    q.addBindValue(s.generation);
    const QString since = jsonText(s.since);
    const QString nextSince = jsonText(s.nextSince);
    q.addBindValue(since.isEmpty() ? QVariant() : QVariant(since));
    q.addBindValue(nextSince.isEmpty() ? QVariant() : QVariant(nextSince));
    q.addBindValue(compact(s.state.toJson()));
    q.addBindValue(s.runId);
    q.addBindValue(nowMs());
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return true;
}

bool Catalog::deleteEntityState(qint64 connectionId, const QString &entity)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("DELETE FROM sync_state WHERE connection_id = ? AND entity = ?"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    return q.exec();
}

int Catalog::markStaleRuns()
{
    QSqlQuery q(database());
    q.exec(QStringLiteral("SELECT id, pid, host, connection_id FROM runs WHERE status = 'running'"));
    // A run of another host is judged by its connection's lock where the engine shows it (a pid says nothing
    // about a process there); else it is left alone.
    const std::optional<QSet<qint64>> held = m_dialect->heldSyncLocks(database());
    const QString host = QSysInfo::machineHostName();
    QList<qint64> stale;
    const qint64 self = QCoreApplication::applicationPid();
    while (q.next()) {
        const qint64 pid = q.value(1).toLongLong();
        const bool here = q.value(2).isNull() || q.value(2).toString() == host;
        // Here, a run belongs to a live process when that pid still exists (kill(pid, 0) succeeds).
        const bool alive = here ? pid > 0 && (pid == self || ::kill(pid_t(pid), 0) == 0)
                                : !held || held->contains(q.value(3).toLongLong());
        if (!alive)
            stale.append(q.value(0).toLongLong());
    }
    for (qint64 id : stale) {
        QSqlQuery update(database());
        update.prepare(
            QStringLiteral("UPDATE runs SET status = 'interrupted', finished_at = coalesce(finished_at, "
                           "last_commit_at, started_at), error = coalesce(error, 'The sync was interrupted "
                           "(the app or CLI stopped); sync again to resume') WHERE id = ?"));
        update.addBindValue(id);
        update.exec();
    }
    return int(stale.size());
}

qint64 Catalog::removeRecordsOlderThan(qint64 connectionId, const QString &entity, qint64 generation)
{
    QSqlQuery q(database());
    q.prepare(
        QStringLiteral("DELETE FROM records WHERE connection_id = ? AND entity = ? AND generation < ?"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    q.addBindValue(generation);
    if (!q.exec()) {
        setError(q.lastError());
        return -1;
    }
    return q.numRowsAffected();
}

namespace {
// A row of entity_fields whose first columns are path, position, declared, counts.
FieldStats fieldFromRow(const QSqlQuery &q)
{
    FieldStats stats;
    stats.path = q.value(0).toString();
    stats.position = q.value(1).toInt();
    stats.declared = fieldTypeFromName(q.value(2).toString());
    stats.counts = FieldCounts::fromJson(QJsonDocument::fromJson(q.value(3).toByteArray()).array());
    return stats;
}
} // namespace

QList<FieldStats> Catalog::entityFields(qint64 connectionId, const QString &entity)
{
    return entityFields(database(), connectionId, entity);
}

QList<FieldStats> Catalog::entityFields(const QSqlDatabase &db, qint64 connectionId, const QString &entity)
{
    QList<FieldStats> fields;
    QSqlQuery q(db);
    q.prepare(
        QStringLiteral("SELECT path, position, declared, counts FROM entity_fields WHERE connection_id = ? "
                       "AND entity = ? ORDER BY position"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    q.exec();
    while (q.next())
        fields.append(fieldFromRow(q));
    return fields;
}

bool Catalog::loadEntityFieldRows(qint64 connectionId, const QString &entity, qint64 generation,
                                  EntityFieldRows *rows)
{
    *rows = {};
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT path, position, declared, counts, pass_generation, pass_counts FROM "
                             "entity_fields WHERE connection_id = ? AND entity = ? ORDER BY position"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    while (q.next()) {
        const FieldStats kept = fieldFromRow(q);
        const bool inPass = !q.value(4).isNull() && q.value(4).toLongLong() == generation;
        rows->index.insert(kept.path, int(rows->kept.size()));
        rows->kept.append(kept);
        rows->inPass.append(inPass);
        rows->pass.append(
            inPass ? FieldCounts::fromJson(QJsonDocument::fromJson(q.value(5).toByteArray()).array())
                   : FieldCounts());
    }
    rows->loaded = true;
    return true;
}

bool Catalog::mergeEntityFields(qint64 connectionId, const QString &entity, qint64 generation, bool fullPass,
                                const QList<FieldStats> &observed, QStringList *typeChanges,
                                EntityFieldRows *cached)
{
    // In the chunk's transaction. Kept counts only widen while records arrive; a full refresh also counts
    // its own pass, which becomes the entity's schema when the pass completes (settleEntityFields).
    EntityFieldRows local;
    EntityFieldRows &rows = cached ? *cached : local;
    if (!rows.loaded && !loadEntityFieldRows(connectionId, entity, generation, &rows))
        return false;
    QList<int> changed; // kept indexes, each once
    for (const FieldStats &seen : observed) {
        int at = rows.index.value(seen.path, -1);
        const bool known = at >= 0;
        if (!known) { // positions of new fields follow the kept ones
            at = int(rows.kept.size());
            FieldStats added = seen;
            added.counts = {};
            added.position = rows.kept.isEmpty() ? 0 : rows.kept.constLast().position + 1;
            rows.index.insert(seen.path, at);
            rows.kept.append(added);
            rows.pass.append(FieldCounts());
            rows.inPass.append(false);
        }
        FieldStats &field = rows.kept[at];
        const FieldType before = field.type();
        field.counts.add(seen.counts);
        if (seen.declared != FieldType::Unknown)
            field.declared = seen.declared;
        if (typeChanges && known && before != FieldType::Unknown && field.type() != before) {
            FieldStats asBefore = field;
            asBefore.declared = before; // how many of all its values the old type leaves out
            typeChanges->append(
                QStringLiteral("The field %1 was %2 and is now %3: %4 of its values are not %2")
                    .arg(FieldSql::label(field.path), fieldTypeName(before), fieldTypeName(field.type()),
                         QString::number(asBefore.misfits())));
        }
        FieldCounts &pass = rows.pass[at];
        if (!fullPass || !rows.inPass.at(at))
            pass = {};
        if (fullPass)
            pass.add(seen.counts);
        rows.inPass[at] = fullPass;
        if (!changed.contains(at))
            changed.append(at);
    }
    return saveEntityFieldRows(connectionId, entity, rows, changed, fullPass, generation);
}

bool Catalog::saveEntityFieldRows(qint64 connectionId, const QString &entity, const EntityFieldRows &rows,
                                  const QList<int> &changed, bool fullPass, qint64 generation)
{
    if (changed.isEmpty())
        return true;
    if (sqliteHandle()) { // a bound statement per row costs no round trip there
        for (int at : changed) {
            if (!saveEntityFieldRow(connectionId, entity, rows.kept.at(at),
                                    fullPass ? &rows.pass.at(at) : nullptr, generation))
                return false;
        }
        return true;
    }
    // A server: all of the commit's rows in one statement, not a round trip per field.
    QStringList tuples;
    for (qsizetype i = 0; i < changed.size(); ++i)
        tuples.append(QStringLiteral("(?, ?, ?, ?, ?, ?, ?, ?)"));
    QSqlQuery save(database());
    save.prepare(QStringLiteral("INSERT INTO entity_fields (connection_id, entity, path, position, declared, "
                                "counts, pass_generation, pass_counts) VALUES %1 ON CONFLICT (connection_id, "
                                "entity, path) DO UPDATE SET declared = excluded.declared, counts = "
                                "excluded.counts, pass_generation = excluded.pass_generation, pass_counts = "
                                "excluded.pass_counts")
                     .arg(tuples.join(QStringLiteral(", "))));
    for (int at : changed) {
        const FieldStats &field = rows.kept.at(at);
        const QString declared = fieldTypeName(field.declared); // "" for Unknown: stored as NULL
        save.addBindValue(connectionId);
        save.addBindValue(entity);
        save.addBindValue(field.path);
        save.addBindValue(field.position);
        save.addBindValue(declared.isEmpty() ? QVariant() : QVariant(declared));
        save.addBindValue(field.counts.toText());
        save.addBindValue(fullPass ? QVariant(generation) : QVariant());
        save.addBindValue(fullPass ? QVariant(rows.pass.at(at).toText()) : QVariant());
    }
    if (!save.exec()) {
        setError(save.lastError());
        return false;
    }
    return true;
}

bool Catalog::saveEntityFieldRow(qint64 connectionId, const QString &entity, const FieldStats &field,
                                 const FieldCounts *pass, qint64 generation)
{
    // Once per field per commit: bound straight into SQLite where the driver allows it (as the records are).
    static const char kSql[] =
        "INSERT INTO entity_fields (connection_id, entity, path, position, declared, counts, "
        "pass_generation, "
        "pass_counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connection_id, entity, path) DO "
        "UPDATE SET declared = excluded.declared, counts = excluded.counts, pass_generation = "
        "excluded.pass_generation, pass_counts = excluded.pass_counts";
    const QString declared = fieldTypeName(field.declared); // "" for Unknown: stored as NULL
    auto *sqlite = static_cast<sqlite3 *>(sqliteHandle());
    if (sqlite && !m_saveFieldRaw) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v3(sqlite, kSql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) == SQLITE_OK)
            m_saveFieldRaw = stmt;
    }
    if (auto *stmt = static_cast<sqlite3_stmt *>(m_saveFieldRaw)) {
        const QByteArray entityText = entity.toUtf8();
        const QByteArray path = field.path.toUtf8();
        const QByteArray declaredText = declared.toUtf8();
        const QByteArray counts = field.counts.toText().toLatin1();
        const QByteArray passCounts = pass ? pass->toText().toLatin1() : QByteArray();
        const auto text = [stmt](int at, const QByteArray &value) {
            sqlite3_bind_text(stmt, at, value.constData(), int(value.size()), SQLITE_STATIC);
        };
        sqlite3_bind_int64(stmt, 1, connectionId);
        text(2, entityText);
        text(3, path);
        sqlite3_bind_int(stmt, 4, field.position);
        declared.isEmpty() ? void(sqlite3_bind_null(stmt, 5)) : text(5, declaredText);
        text(6, counts);
        pass ? void(sqlite3_bind_int64(stmt, 7, generation)) : void(sqlite3_bind_null(stmt, 7));
        pass ? text(8, passCounts) : void(sqlite3_bind_null(stmt, 8));
        const int rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        if (rc != SQLITE_DONE) {
            m_error = QString::fromUtf8(sqlite3_errmsg(sqlite));
            return false;
        }
        return true;
    }
    m_error = QStringLiteral("The catalog's SQLite statement could not be prepared");
    return false;
}

bool Catalog::settleEntityFields(qint64 connectionId, const QString &entity, qint64 generation)
{
    // The end of a full refresh: what its pass counted is now the schema; fields it never saw are gone, as
    // the records that had them are.
    QSqlQuery q(database());
    q.prepare(QStringLiteral("DELETE FROM entity_fields WHERE connection_id = ? AND entity = ? AND "
                             "(pass_generation IS NULL OR pass_generation != ?)"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    q.addBindValue(generation);
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    q.prepare(QStringLiteral("UPDATE entity_fields SET counts = pass_counts, pass_generation = NULL, "
                             "pass_counts = NULL WHERE connection_id = ? AND entity = ?"));
    q.addBindValue(connectionId);
    q.addBindValue(entity);
    if (!q.exec()) {
        setError(q.lastError());
        return false;
    }
    return true;
}

void Catalog::dropEntityViews(const QString &connectionName, const QString &entity)
{
    // The entity's view and its child views (`<view>__<array field>`, which read json_each).
    const QString view = viewName(connectionName, entity);
    QString pattern = view;
    pattern.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    pattern.replace(QLatin1Char('_'), QStringLiteral("\\_"));
    pattern.replace(QLatin1Char('%'), QStringLiteral("\\%"));
    QSqlQuery q(database());
    q.prepare(m_dialect->childViewsSql());
    q.addBindValue(pattern + QStringLiteral("\\_\\_%"));
    q.exec();
    QStringList views{view};
    while (q.next())
        views.append(q.value(0).toString());
    for (const QString &name : std::as_const(views))
        exec(QStringLiteral("DROP VIEW IF EXISTS ") + sqlIdentifier(name));
}

namespace {
// The typed columns of `fields` whose paths start with `prefix` (one level of "[]" at most): scalars as their
// type, timestamps also as sent (`__raw`), objects by their members (not themselves).
QStringList typedColumns(const CatalogDialect &sql, const QList<FieldStats> &fields, const QString &prefix,
                         const QString &json)
{
    QStringList columns;
    for (const FieldStats &field : FieldSql::columnFields(fields, prefix)) {
        const QString name = FieldSql::columnName(field.path);
        columns.append(
            QStringLiteral("%1 AS %2").arg(sql.typed(field, json, field.path), sqlIdentifier(name)));
        if (field.type() == FieldType::Timestamp)
            columns.append(
                QStringLiteral("%1 AS %2")
                    .arg(sql.raw(json, field.path), sqlIdentifier(name + QStringLiteral("__raw"))));
    }
    return columns;
}
} // namespace

bool Catalog::refreshEntityView(qint64 connectionId, const QString &entity,
                                const QHash<QString, QString> &childNames)
{
    const auto info = connectionById(connectionId);
    if (!info)
        return false;
    QList<FieldStats> fields = entityFields(connectionId, entity);
    // A catalog synced before schemas were kept: the top-level fields of a sample, untyped.
    if (fields.isEmpty()) {
        QSqlQuery q(database());
        q.prepare(QStringLiteral("SELECT data FROM records WHERE connection_id = ? AND entity = ? LIMIT 50"));
        q.addBindValue(connectionId);
        q.addBindValue(entity);
        q.exec();
        QStringList names;
        while (q.next()) {
            for (const QString &name : JsonScan::memberNames(q.value(0).toString().toUtf8())) {
                if (!names.contains(name) && !name.contains(QLatin1Char('\t')))
                    names.append(name);
            }
        }
        for (const QString &name : std::as_const(names))
            fields.append(FieldStats{name, int(fields.size()), FieldType::Unknown, {}});
    }
    QString entityLiteral = entity;
    entityLiteral.replace(QLatin1Char('\''), QStringLiteral("''"));
    const QString where =
        QStringLiteral("connection_id = %1 AND entity = '%2'").arg(connectionId).arg(entityLiteral);
    dropEntityViews(info->name, entity);

    QStringList columns{QStringLiteral("record_key AS _key")};
    columns += typedColumns(*m_dialect, fields, QString(), QStringLiteral("data"));
    columns << QStringLiteral("data AS _json") << QStringLiteral("synced_at AS _synced_at");
    const QString view = viewName(info->name, entity);
    if (!exec(QStringLiteral("CREATE VIEW %1 AS SELECT %2 FROM records WHERE %3")
                  .arg(sqlIdentifier(view), columns.join(QStringLiteral(", ")), where)))
        return false;
    // Arrays of objects: one row per element, with the parent's key and the element's position (as dlt's
    // child tables).
    for (const FieldStats &field : std::as_const(fields)) {
        if (field.counts[ValueKind::ObjectArray] == 0 || field.path.contains(QStringLiteral("[]")))
            continue;
        const QString prefix = field.path + QStringLiteral("\t[]\t");
        QStringList child{QStringLiteral("r.record_key AS _parent_key"),
                          m_dialect->childPosition() + QStringLiteral(" AS _position")};
        child += typedColumns(*m_dialect, fields, prefix, QStringLiteral("j.value"));
        child << QStringLiteral("j.value AS _json");
        const QString name = childNames.value(FieldSql::label(field.path), FieldSql::columnName(field.path));
        const QString childWhere =
            QStringLiteral("r.") +
            QString(where).replace(QStringLiteral(" AND entity"), QStringLiteral(" AND r.entity"));
        if (!exec(QStringLiteral("CREATE VIEW %1 AS SELECT %2 %3")
                      .arg(sqlIdentifier(view + QStringLiteral("__") + name),
                           child.join(QStringLiteral(", ")),
                           m_dialect->childViewFrom(field.path, childWhere))))
            return false;
    }
    return true;
}
