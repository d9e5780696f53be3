// The PostgreSQL catalog. Records are JSONB; typed views read them through small SQL functions (mako_*) that
// return NULL for a value that does not fit, as the SQLite views do, instead of failing the query.
#include "postgresdialect.h"

#include "columnprofile.h"
#include "jsonscan.h"

#include <QCoreApplication>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QSysInfo>
#include <QUrlQuery>

#include <libpq-fe.h>

#include <vector>

namespace {

// Advisory lock keys (pg_try_advisory_lock(int, int)): the first says "Mako Connect" ('MAKO'), the second
// is what is locked: a connection's id, or 0 for the migration.
constexpr int kLockSpace = 0x4D414B4F;

// Records per INSERT: each row binds two parameters (key, JSON) after four shared ones.
constexpr qsizetype kRowsPerStatement = 1000;

QString sqlLiteral(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QStringLiteral("''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

// A field path as a text[] for #> and #>>.
QString pathArray(const QString &path)
{
    QStringList literals;
    for (const QString &segment : FieldSql::segments(path))
        literals.append(sqlLiteral(segment));
    return QStringLiteral("ARRAY[%1]::text[]").arg(literals.join(QStringLiteral(", ")));
}

QString node(const QString &json, const QString &path)
{
    return QStringLiteral("(%1 #> %2)").arg(json, pathArray(path));
}

// What to tell a person whose catalog URL does not open.
QString openFailure(const QUrl &url, const QString &text)
{
    const QString server = QStringLiteral("%1:%2")
                               .arg(url.host().isEmpty() ? QStringLiteral("localhost") : url.host())
                               .arg(url.port(5432));
    const QString db = url.path().mid(1);
    if (text.contains(QLatin1String("password authentication failed")) ||
        text.contains(QLatin1String("no password supplied")))
        return QStringLiteral(
                   "PostgreSQL at %1 refused the user \"%2\": the password is wrong or missing; give "
                   "it in the URL, in PGPASSWORD or in ~/.pgpass")
            .arg(server, url.userName());
    if (text.contains(QLatin1String("does not exist")) && text.contains(QLatin1String("database")))
        return QStringLiteral("The database \"%1\" does not exist on the PostgreSQL server at %2; create it "
                              "(createdb %1) or correct the catalog URL")
            .arg(db, server);
    if (text.contains(QLatin1String("Connection refused")) || text.contains(QLatin1String("timeout")) ||
        text.contains(QLatin1String("could not translate host name")) ||
        text.contains(QLatin1String("No route to host")))
        return QStringLiteral(
                   "Cannot reach the PostgreSQL server at %1; check that it is running and that the "
                   "catalog URL's host and port are right")
            .arg(server);
    return QStringLiteral("Cannot open the catalog %1: %2")
        .arg(CatalogLocation::display(url.toString()), text.trimmed());
}

// A session of the lock's own, with our name: PQconnectdbParams expands the URL itself and finds a password
// the URL lacks in PGPASSWORD or ~/.pgpass.
PGconn *connectLibpq(const QString &url)
{
    const QByteArray dbname = url.toUtf8();
    const QByteArray application = PostgresDialect::applicationName();
    const char *keywords[] = {"dbname", "application_name", "connect_timeout", nullptr};
    const char *values[] = {dbname.constData(), application.constData(), "15", nullptr};
    return PQconnectdbParams(keywords, values, 1);
}

QString resultError(PGresult *result, PGconn *conn)
{
    const char *primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    return QString::fromUtf8(primary ? primary : PQerrorMessage(conn)).trimmed();
}

CatalogDialect::Failure failureOf(const QByteArray &sqlState)
{
    // 40P01 deadlock, 40001 serialization failure, 55P03 lock not available: another session's work.
    if (sqlState == "40P01" || sqlState == "40001" || sqlState == "55P03")
        return CatalogDialect::Failure::Busy;
    if (sqlState == "57014") // query_canceled
        return CatalogDialect::Failure::Cancelled;
    return sqlState.startsWith("53") ? CatalogDialect::Failure::Full : CatalogDialect::Failure::Other;
}

// The records upsert for `rows` rows: $1..$4 are shared (connection, entity, synced_at, generation), then
// each row's key and JSON.
QByteArray upsertSql(int rows)
{
    QByteArray sql =
        "INSERT INTO records (connection_id, entity, record_key, data, synced_at, generation) VALUES ";
    for (int i = 0; i < rows; ++i) {
        const int p = 5 + i * 2;
        sql += (i ? ",($1,$2,$" : "($1,$2,$") + QByteArray::number(p) + ",$" + QByteArray::number(p + 1) +
               "::jsonb,$3::bigint,$4::bigint)";
    }
    return sql + " ON CONFLICT (connection_id, entity, record_key) DO UPDATE SET data = excluded.data, "
                 "synced_at = excluded.synced_at, generation = excluded.generation";
}

constexpr char kFullUpsert[] = "mako_upsert_full";

// The libpq connection under Qt's driver, or nullptr. Qt names its type by libpq's struct tag.
PGconn *pgconnOf(const QSqlDatabase &db)
{
    const QVariant handle = db.driver()->handle();
    const bool isPgconn = handle.isValid() && (qstrcmp(handle.typeName(), "PGconn*") == 0 ||
                                               qstrcmp(handle.typeName(), "pg_conn*") == 0);
    return isPgconn ? *static_cast<PGconn *const *>(handle.data()) : nullptr;
}

class PostgresSyncLock : public SyncLock
{
public:
    explicit PostgresSyncLock(PGconn *conn)
        : m_conn(conn)
    {
    }
    ~PostgresSyncLock() override
    {
        // Released now, not when the server's backend has gone: the next process asking gets it at once.
        PQclear(PQexec(m_conn, "SELECT pg_advisory_unlock_all()"));
        PQfinish(m_conn); // a process that dies without this is released by the server as its session ends
    }

private:
    PGconn *m_conn;
};

} // namespace

QByteArray PostgresDialect::applicationName()
{
    return "mako-connect " + QByteArray::number(QCoreApplication::applicationPid()) + ' ' +
           QSysInfo::machineHostName().toUtf8();
}

bool PostgresDialect::open(QSqlDatabase &db, const QString &location, QString *error)
{
    const QUrl url(location);
    if (!url.isValid() || url.path().mid(1).isEmpty()) {
        *error = QStringLiteral("The catalog URL %1 names no database; write it as "
                                "postgresql://user@host:port/database")
                     .arg(CatalogLocation::display(location));
        return false;
    }
    db.setHostName(url.host());
    if (url.port() > 0)
        db.setPort(url.port());
    db.setUserName(url.userName());
    if (!url.password().isEmpty())
        db.setPassword(url.password());
    db.setDatabaseName(url.path().mid(1));
    // The URL's parameters (sslmode=require, ...) are libpq's own keywords.
    QStringList options{QStringLiteral("application_name=%1").arg(QString::fromUtf8(applicationName())),
                        QStringLiteral("connect_timeout=15")};
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
        options.append(key + QLatin1Char('=') + value);
    db.setConnectOptions(options.join(QLatin1Char(';')).replace(QLatin1Char(' '), QLatin1Char('_')));
    if (!db.open()) {
        *error = openFailure(url, db.lastError().text());
        return false;
    }
    QSqlQuery q(db);
    // Timestamps the views derive are UTC; notices (a view name cut to 63 bytes) are not ours to print.
    q.exec(QStringLiteral("SET client_min_messages = warning"));
    q.exec(QStringLiteral("SET TimeZone = 'UTC'"));
    return true;
}

const QList<QStringList> &PostgresDialect::migrations() const
{
    // PostgreSQL catalogs start at the schema SQLite reached in six steps; the later steps are empty so the
    // versions mean the same schema. Append new steps to both dialects.
    static const QList<QStringList> steps{
        {
            QStringLiteral(
                "CREATE TABLE connections (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                "name TEXT NOT NULL UNIQUE, connector_id TEXT NOT NULL, config TEXT NOT NULL "
                "DEFAULT '{}', created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"),
            QStringLiteral("CREATE TABLE sync_state (connection_id BIGINT NOT NULL, entity TEXT NOT NULL, "
                           "status TEXT NOT NULL, mode TEXT NOT NULL, generation BIGINT NOT NULL DEFAULT 0, "
                           "since TEXT, next_since TEXT, state TEXT NOT NULL, run_id BIGINT, "
                           "updated_at BIGINT NOT NULL, PRIMARY KEY (connection_id, entity))"),
            QStringLiteral(
                "CREATE TABLE runs (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                "connection_id BIGINT NOT NULL, status TEXT NOT NULL, mode TEXT NOT NULL, entities "
                "TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT, records BIGINT NOT "
                "NULL DEFAULT 0, entity_counts TEXT, error TEXT, pid BIGINT, last_commit_at "
                "BIGINT, entity_results TEXT, host TEXT)"),
            QStringLiteral("CREATE INDEX runs_by_connection ON runs (connection_id, id)"),
            QStringLiteral("CREATE TABLE run_log (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                           "run_id BIGINT NOT NULL, at BIGINT NOT NULL, level TEXT NOT NULL, entity TEXT, "
                           "message TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX run_log_by_run ON run_log (run_id, id)"),
            // The unique key makes every write an upsert (I2). JSONB keeps each value, not the API's
            // spacing or member order.
            QStringLiteral("CREATE TABLE records (connection_id BIGINT NOT NULL, entity TEXT NOT NULL, "
                           "record_key TEXT NOT NULL, data JSONB NOT NULL, synced_at BIGINT NOT NULL, "
                           "generation BIGINT NOT NULL DEFAULT 0, "
                           "CONSTRAINT records_by_key PRIMARY KEY (connection_id, entity, record_key))"),
            QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE entity_fields (connection_id BIGINT NOT NULL, entity TEXT NOT NULL, "
                           "path TEXT NOT NULL, position INTEGER NOT NULL, declared TEXT, counts TEXT NOT "
                           "NULL, pass_generation BIGINT, pass_counts TEXT, "
                           "PRIMARY KEY (connection_id, entity, path))"),
            QStringLiteral("CREATE TABLE schedules (connection_id BIGINT PRIMARY KEY, spec TEXT NOT NULL, "
                           "time_zone TEXT, set_at BIGINT NOT NULL, last_fired BIGINT)"),
            // The typed views' conversions: NULL for what does not fit, never an error that fails the query.
            QStringLiteral(
                "CREATE FUNCTION mako_int(v jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
                "SELECT CASE WHEN jsonb_typeof(v) IN ('number', 'string') AND (v #>> '{}') ~ "
                "'^-?(0|[1-9][0-9]{0,18})$' AND (v #>> '{}')::numeric BETWEEN -9223372036854775808 AND "
                "9223372036854775807 THEN (v #>> '{}')::bigint END $$"),
            QStringLiteral(
                "CREATE FUNCTION mako_real(v jsonb) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL "
                "SAFE AS $$ SELECT CASE WHEN (jsonb_typeof(v) = 'number' OR (jsonb_typeof(v) = 'string' AND "
                "(v #>> '{}') ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$')) AND "
                "abs((v #>> '{}')::numeric) < 1e308 THEN (v #>> '{}')::double precision END $$"),
            QStringLiteral(
                "CREATE FUNCTION mako_bool(v jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
                "$$ SELECT CASE jsonb_typeof(v) WHEN 'boolean' THEN (v #>> '{}')::boolean WHEN 'string' "
                "THEN CASE lower(v #>> '{}') WHEN 'true' THEN true WHEN 'false' THEN false END END $$"),
            QStringLiteral(
                "CREATE FUNCTION mako_timestamp(v jsonb, ms boolean) RETURNS timestamptz LANGUAGE plpgsql "
                "IMMUTABLE PARALLEL SAFE SET TimeZone = 'UTC' AS $$ BEGIN "
                "IF jsonb_typeof(v) = 'number' THEN "
                "RETURN to_timestamp((v #>> '{}')::double precision / CASE WHEN ms THEN 1000 ELSE 1 END); "
                "ELSIF jsonb_typeof(v) = 'string' AND (v #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN "
                "RETURN (v #>> '{}')::timestamptz; END IF; RETURN NULL; "
                "EXCEPTION WHEN others THEN RETURN NULL; END $$"),
            QStringLiteral(
                "CREATE FUNCTION mako_date(v jsonb) RETURNS date LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE "
                "SET TimeZone = 'UTC' AS $$ BEGIN "
                "IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN "
                "RETURN NULL; ELSIF length(v #>> '{}') = 10 THEN RETURN (v #>> '{}')::date; END IF; "
                "RETURN ((v #>> '{}')::timestamptz AT TIME ZONE 'UTC')::date; "
                "EXCEPTION WHEN others THEN RETURN NULL; END $$"),
        },
        {},
        {},
        {},
        {},
        {},
        {
            // A subtransaction (their EXCEPTION block) cannot start in a parallel plan, not even in its
            // leader: a query on a big entity's view, planned in parallel, failed. Unsafe, such a query
            // runs serially (PostgreSQL 15 has no test of a timestamp's text without trying the cast).
            QStringLiteral("ALTER FUNCTION mako_timestamp(jsonb, boolean) PARALLEL UNSAFE"),
            QStringLiteral("ALTER FUNCTION mako_date(jsonb) PARALLEL UNSAFE"),
        },
        {
            QStringLiteral("ALTER TABLE runs ADD COLUMN removed BIGINT NOT NULL DEFAULT 0"),
        },
    };
    return steps;
}

QStringList PostgresDialect::beginMigration() const
{
    // The transaction-scoped lock keeps a second process from migrating at the same time; it waits.
    return {QStringLiteral("BEGIN"), QStringLiteral("SELECT pg_advisory_xact_lock(%1, 0)").arg(kLockSpace)};
}

QString PostgresDialect::beginWrite() const
{
    return QStringLiteral("BEGIN");
}

qint64 PostgresDialect::dataVersion(const QSqlDatabase &db) const
{
    // The next transaction id moves when any session writes (here or elsewhere on the server): enough to
    // say "look again".
    QSqlQuery q(db);
    return q.exec(QStringLiteral("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) && q.next()
               ? q.value(0).toLongLong()
               : -1;
}

QString PostgresDialect::addRunCommitSql() const
{
    return QStringLiteral(
        "UPDATE runs SET records = records + ?, last_commit_at = ?, entity_counts = jsonb_set(coalesce("
        "entity_counts, '{}')::jsonb, ARRAY[?::text], to_jsonb(coalesce((entity_counts::jsonb ->> ?::text)"
        "::bigint, 0) + ?))::text WHERE id = ?");
}

QString PostgresDialect::runCountKey(const QString &entity) const
{
    return entity;
}

QString PostgresDialect::childViewsSql() const
{
    return QStringLiteral("SELECT viewname FROM pg_views WHERE schemaname = current_schema() AND viewname "
                          "LIKE ? ESCAPE '\\' AND definition LIKE '%jsonb_array_elements%'");
}

QString PostgresDialect::claimScheduleSql() const
{
    return QStringLiteral(
        "UPDATE schedules SET last_fired = ? WHERE connection_id = (SELECT connection_id FROM "
        "schedules WHERE connection_id = ? AND last_fired IS NOT DISTINCT FROM ? FOR UPDATE "
        "SKIP LOCKED)");
}

QString PostgresDialect::typed(const FieldStats &field, const QString &json, const QString &path) const
{
    const QString x = node(json, path);
    switch (field.type()) {
    case FieldType::Integer:
        return QStringLiteral("mako_int(%1)").arg(x);
    case FieldType::Real:
        return QStringLiteral("mako_real(%1)").arg(x);
    case FieldType::Boolean:
        return QStringLiteral("mako_bool(%1)").arg(x);
    case FieldType::Timestamp:
        return QStringLiteral("mako_timestamp(%1, %2)")
            .arg(x, field.isMilliseconds() ? QStringLiteral("true") : QStringLiteral("false"));
    case FieldType::Date:
        return QStringLiteral("mako_date(%1)").arg(x);
    case FieldType::Text:
    case FieldType::Unknown: // untyped (a catalog from before schemas): the value's text, as SQLite gives
        return raw(json, path);
    case FieldType::Object:
    case FieldType::Array:
        break;
    }
    return x;
}

QString PostgresDialect::raw(const QString &json, const QString &path) const
{
    return QStringLiteral("(%1 #>> %2)").arg(json, pathArray(path));
}

QString PostgresDialect::childViewFrom(const QString &path, const QString &where) const
{
    // jsonb_array_elements fails on anything but an array: a record whose field is not one adds no rows.
    const QString array = node(QStringLiteral("r.data"), path);
    return QStringLiteral(
               "FROM records r CROSS JOIN LATERAL (SELECT e.value, e.n - 1 AS position FROM "
               "jsonb_array_elements(CASE jsonb_typeof(%1) WHEN 'array' THEN %1 ELSE '[]'::jsonb END) WITH "
               "ORDINALITY AS e(value, n)) j WHERE %2 AND jsonb_typeof(j.value) = 'object'")
        .arg(array, where);
}

QString PostgresDialect::childPosition() const
{
    return QStringLiteral("j.position");
}

bool PostgresDialect::prepareFullUpsert(void *conn)
{
    // Prepared statements live as long as the session, whatever becomes of its transactions.
    if (m_preparedOn == conn)
        return true;
    PGresult *result = PQprepare(static_cast<PGconn *>(conn), kFullUpsert,
                                 upsertSql(int(kRowsPerStatement)).constData(), 0, nullptr);
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (ok)
        m_preparedOn = conn;
    return ok;
}

bool PostgresDialect::upsertRecords(QSqlDatabase &db, qint64 connectionId, const QString &entity,
                                    qint64 generation, const RecordBatch &records, QString *error,
                                    Failure *failure)
{
    // Writer thread, in its open transaction. Many rows per statement, bound as text through libpq on the
    // driver's own connection (one round trip per thousand records, no quoting of the JSON).
    PGconn *conn = pgconnOf(db);
    if (!conn) {
        *error = QStringLiteral("Catalog write failed: Qt's PostgreSQL driver gave no connection handle");
        *failure = Failure::Other;
        return false;
    }
    // One statement cannot upsert a key twice: the last of a key's copies is the one kept, as one by one.
    std::vector<const Record *> rows;
    rows.reserve(size_t(records.size()));
    QSet<QByteArrayView> seen;
    for (qsizetype i = records.size() - 1; i >= 0; --i) {
        if (!seen.contains(records.at(i).key)) {
            seen.insert(records.at(i).key);
            rows.push_back(&records.at(i));
        }
    }
    const QByteArray shared[] = {QByteArray::number(connectionId), entity.toUtf8(),
                                 QByteArray::number(QDateTime::currentMSecsSinceEpoch()),
                                 QByteArray::number(generation)};
    for (size_t from = 0; from < rows.size(); from += kRowsPerStatement) {
        const size_t count = qMin(rows.size() - from, size_t(kRowsPerStatement));
        std::vector<const char *> values{shared[0].constData(), shared[1].constData(), shared[2].constData(),
                                         shared[3].constData()};
        for (size_t i = 0; i < count; ++i) {
            values.push_back(rows[from + i]->key.constData());
            values.push_back(rows[from + i]->json.constData());
        }
        PGresult *result = nullptr;
        if (count == size_t(kRowsPerStatement) && prepareFullUpsert(conn)) // parsed and planned once
            result =
                PQexecPrepared(conn, kFullUpsert, int(values.size()), values.data(), nullptr, nullptr, 0);
        else
            result = PQexecParams(conn, upsertSql(int(count)).constData(), int(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
        const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
        if (!ok) {
            const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
            *failure = failureOf(QByteArray(state ? state : ""));
            *error = *failure == Failure::Full
                         ? QStringLiteral("The PostgreSQL server could not store the records (%1); ask its "
                                          "administrator to free space, then sync again (everything "
                                          "committed so far is kept)")
                               .arg(resultError(result, conn))
                         : QStringLiteral("Catalog write failed: %1").arg(resultError(result, conn));
        }
        PQclear(result);
        if (!ok)
            return false;
    }
    return true;
}

CatalogDialect::Failure PostgresDialect::classify(const QSqlError &error) const
{
    return failureOf(error.nativeErrorCode().toLatin1());
}

bool PostgresDialect::openReadOnly(QSqlDatabase &db, const QString &location, QString *error) const
{
    PostgresDialect opener; // open() keeps nothing in the dialect
    if (!opener.open(db, location, error))
        return false;
    // Every transaction of this session reads only; a person's statement also runs inside beginStatement().
    QSqlQuery q(db);
    q.exec(QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"));
    return true;
}

namespace {

class PostgresCanceller : public QueryCanceller
{
public:
    explicit PostgresCanceller(PGcancel *cancel)
        : m_cancel(cancel)
    {
    }
    ~PostgresCanceller() override { PQfreeCancel(m_cancel); }
    void cancel() override
    {
        char error[256];
        PQcancel(m_cancel, error, sizeof error); // thread-safe: a request on a connection of its own
    }

private:
    PGcancel *m_cancel;
};

} // namespace

std::unique_ptr<QueryCanceller> PostgresDialect::canceller(const QSqlDatabase &db) const
{
    PGconn *conn = db.isValid() ? pgconnOf(db) : nullptr;
    PGcancel *cancel = conn ? PQgetCancel(conn) : nullptr;
    return cancel ? std::make_unique<PostgresCanceller>(cancel) : nullptr;
}

QString PostgresDialect::statementProblem(const QSqlDatabase &db, const QString &sql,
                                          QString *statement) const
{
    *statement = sql.trimmed();
    while (statement->endsWith(QLatin1Char(';')))
        *statement = statement->chopped(1).trimmed(); // so that it can be wrapped: SELECT count(*) FROM (…)
    PGconn *conn = pgconnOf(db);
    if (!conn)
        return {};
    // The extended protocol parses one statement only; Qt's exec would run "SELECT 1; COMMIT; …" whole.
    PGresult *result = PQprepare(conn, "", sql.toUtf8().constData(), 0, nullptr);
    const QString error = PQresultStatus(result) == PGRES_COMMAND_OK ? QString() : resultError(result, conn);
    PQclear(result);
    if (error.contains(QLatin1String("multiple commands")))
        return QStringLiteral("Only one statement at a time: run the statements one by one");
    return {}; // a syntax error is for the run to report, in PostgreSQL's words
}

QString PostgresDialect::objectsSql() const
{
    return QStringLiteral("SELECT CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END, table_name FROM "
                          "information_schema.tables WHERE table_schema = current_schema() ORDER BY 1, 2");
}

QString PostgresDialect::sampleFieldsSql() const
{
    return QStringLiteral(
        "SELECT j.key, jsonb_typeof(j.value) FROM (SELECT data FROM records WHERE connection_id = ? AND "
        "entity = ? ORDER BY record_key LIMIT 100) r, jsonb_each(CASE jsonb_typeof(r.data) WHEN 'object' "
        "THEN r.data END) j");
}

QString PostgresDialect::integerKey() const
{
    return QStringLiteral("(CASE WHEN record_key ~ '^-?[0-9]{1,18}$' THEN record_key::bigint END)");
}

QString PostgresDialect::shown(const FieldStats &field, const QString &json, const QString &path) const
{
    // The same ISO-8601 text SQLite's views hold, so a grid or an export reads alike on both engines.
    if (field.type() == FieldType::Timestamp)
        return QStringLiteral("to_char(%1 AT TIME ZONE 'UTC', '%2')")
            .arg(typed(field, json, path), field.isMilliseconds()
                                               ? QStringLiteral("YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"")
                                               : QStringLiteral("YYYY-MM-DD\"T\"HH24:MI:SS\"Z\""));
    if (field.type() == FieldType::Date)
        return QStringLiteral("to_char(%1, 'YYYY-MM-DD')").arg(typed(field, json, path));
    return typed(field, json, path);
}

QByteArray PostgresDialect::recordJson(const QVariant &data) const
{
    return JsonScan::compact(data.toByteArray());
}

QString PostgresDialect::jsonText(const QString &json, const QString &path) const
{
    return QStringLiteral("(%1)::text").arg(node(json, path));
}

QString PostgresDialect::anyValueLike() const
{
    return QStringLiteral("EXISTS (SELECT 1 FROM jsonb_each_text(CASE jsonb_typeof(records.data) WHEN "
                          "'object' THEN records.data END) j WHERE j.value ILIKE ? ESCAPE '\\')");
}

QString PostgresDialect::floorOf(const QString &expr) const
{
    return QStringLiteral("floor(%1)::bigint").arg(expr);
}

QString PostgresDialect::dateBucket(const QString &value, HistogramUnit unit, FieldType type) const
{
    // The session's time zone is UTC (open()), so a timestamptz's day is its UTC day, as on SQLite.
    const QString moment = type == FieldType::Date ? QStringLiteral("(%1)::timestamp").arg(value) : value;
    switch (unit) {
    case HistogramUnit::Week:
        return QStringLiteral("to_char(date_trunc('week', %1), 'YYYY-MM-DD')").arg(moment);
    case HistogramUnit::Month:
        return QStringLiteral("to_char(%1, 'YYYY-MM')").arg(moment);
    case HistogramUnit::Year:
        return QStringLiteral("to_char(%1, 'YYYY')").arg(moment);
    case HistogramUnit::Day:
    case HistogramUnit::None:
    case HistogramUnit::Number:
        break;
    }
    return QStringLiteral("to_char(%1, 'YYYY-MM-DD')").arg(moment);
}

QString PostgresDialect::direction(Qt::SortOrder order) const
{
    // SQLite's order: NULL is the least value.
    return order == Qt::AscendingOrder ? QStringLiteral("ASC NULLS FIRST")
                                       : QStringLiteral("DESC NULLS LAST");
}

std::optional<QSet<qint64>> PostgresDialect::heldSyncLocks(const QSqlDatabase &db) const
{
    QSqlQuery q(db);
    if (!q.exec(
            QStringLiteral("SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                           "classid::bigint = %1 AND objsubid = 2 AND database = (SELECT oid FROM "
                           "pg_database WHERE datname = current_database())")
                .arg(kLockSpace)))
        return std::nullopt;
    QSet<qint64> held;
    while (q.next())
        held.insert(q.value(0).toLongLong());
    return held;
}

PostgresSyncLocks::PostgresSyncLocks(const QString &url)
    : m_url(url)
{
}

std::unique_ptr<SyncLock> PostgresSyncLocks::tryLock(qint64 connectionId, SyncLockHolder *holder,
                                                     QString *error)
{
    PGconn *conn = connectLibpq(m_url);
    if (PQstatus(conn) != CONNECTION_OK) {
        *error = QStringLiteral("Cannot lock the connection in the PostgreSQL catalog: %1")
                     .arg(QString::fromUtf8(PQerrorMessage(conn)).trimmed());
        PQfinish(conn);
        return nullptr;
    }
    const QByteArray id = QByteArray::number(connectionId);
    const char *params[] = {id.constData()};
    PGresult *taken = PQexecParams(conn, "SELECT pg_try_advisory_lock(1296124751, $1::int)", 1, nullptr,
                                   params, nullptr, nullptr, 0);
    static_assert(kLockSpace == 1296124751);
    const bool ok = PQresultStatus(taken) == PGRES_TUPLES_OK;
    const bool locked = ok && qstrcmp(PQgetvalue(taken, 0, 0), "t") == 0;
    if (!ok)
        *error = QStringLiteral("Cannot lock the connection in the PostgreSQL catalog: %1")
                     .arg(resultError(taken, conn));
    PQclear(taken);
    if (locked)
        return std::make_unique<PostgresSyncLock>(conn);
    if (ok) {
        // The holder's session carries its name ("mako-connect <pid> <host>").
        PGresult *who = PQexecParams(
            conn,
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE "
            "l.locktype = 'advisory' AND l.granted AND l.classid::bigint = 1296124751 AND l.objid::bigint = "
            "$1::bigint AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = "
            "current_database())",
            1, nullptr, params, nullptr, nullptr, 0);
        if (PQresultStatus(who) == PGRES_TUPLES_OK && PQntuples(who) > 0) {
            const QList<QByteArray> parts = QByteArray(PQgetvalue(who, 0, 0)).split(' ');
            if (parts.value(0) == "mako-connect") {
                holder->pid = parts.value(1).toLongLong();
                holder->host = QString::fromUtf8(parts.value(2));
            }
        }
        PQclear(who);
    }
    PQfinish(conn);
    return nullptr;
}
