// The SQLite catalog: one file in WAL mode, written by one connection at a time (BEGIN IMMEDIATE), records
// upserted through a statement prepared once and bound without QVariants.
#include "sqlitedialect.h"

#include "columnprofile.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QStorageInfo>

#include <sqlite3.h>

namespace {

const char kUpsert[] =
    "INSERT INTO records (connection_id, entity, record_key, data, synced_at, generation) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (connection_id, entity, record_key) DO UPDATE "
    "SET data = excluded.data, synced_at = excluded.synced_at, generation = excluded.generation";

QString sqliteMessage(sqlite3 *db, int rc)
{
    if (rc == SQLITE_FULL) {
        const char *file = sqlite3_db_filename(db, "main");
        const QStorageInfo disk(QFileInfo(QString::fromUtf8(file ? file : "")).absolutePath());
        return QStringLiteral("The catalog could not grow: the disk holding it (%1) has %2 MB free, or the "
                              "catalog reached its size limit; free some space and sync again (everything "
                              "committed so far is kept)")
            .arg(disk.rootPath())
            .arg(disk.bytesAvailable() / (1024 * 1024));
    }
    if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN || rc == SQLITE_PERM)
        return QStringLiteral("The catalog cannot be written (%1); check the file's permissions")
            .arg(QString::fromUtf8(sqlite3_errmsg(db)));
    return QStringLiteral("Catalog write failed: %1").arg(QString::fromUtf8(sqlite3_errmsg(db)));
}

// The sqlite3* under Qt's driver, or nullptr.
sqlite3 *handleOf(const QSqlDatabase &db)
{
    if (!db.isValid() || !db.driver())
        return nullptr;
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

class SqliteCanceller : public QueryCanceller
{
public:
    explicit SqliteCanceller(sqlite3 *db)
        : m_db(db)
    {
    }
    void cancel() override { sqlite3_interrupt(m_db); } // thread-safe; a no-op when nothing runs

private:
    sqlite3 *m_db;
};

} // namespace

SqliteDialect::~SqliteDialect()
{
    if (m_upsert)
        sqlite3_finalize(static_cast<sqlite3_stmt *>(m_upsert));
}

QString SqliteDialect::writeProblem(const QFileInfo &info)
{
    // SQLite in WAL mode writes the file and, beside it, <file>-wal and <file>-shm: both must be possible.
    const QFileInfo folder(info.absolutePath());
    if (info.exists() && !info.isWritable())
        return QStringLiteral("The catalog %1 is read-only for you; give your user write permission "
                              "(chmod u+w \"%1\") or choose another catalog with --catalog PATH")
            .arg(info.absoluteFilePath());
    const QFileInfo wal(info.absoluteFilePath() + QStringLiteral("-wal"));
    if (!folder.isWritable() && !(wal.exists() && wal.isWritable()))
        return QStringLiteral(
                   "The folder %1 holding the catalog is not writable for you (the catalog keeps its "
                   "journal, %2-wal, beside it); give your user write permission there (chmod u+w "
                   "\"%1\") or choose another catalog with --catalog PATH")
            .arg(folder.absoluteFilePath(), info.fileName());
    return {};
}

bool SqliteDialect::open(QSqlDatabase &db, const QString &location, QString *error)
{
    const QFileInfo info(location);
    if (!info.absoluteDir().exists() && !QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("Cannot create the folder %1 for the catalog; choose another location")
                     .arg(info.absolutePath());
        return false;
    }
    if (!(*error = writeProblem(info)).isEmpty())
        return false;
    db.setDatabaseName(location);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=15000"));
    if (!db.open()) {
        *error = QStringLiteral("Cannot open the catalog %1: %2").arg(location, db.lastError().text());
        return false;
    }
    // WAL lets readers (the browser, the CLI) work while the writer commits; NORMAL sync is safe with WAL
    // (a power cut may lose the last commits, never corrupt the file).
    QSqlQuery pragma(db);
    if (!pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"))) {
        const bool notADatabase =
            pragma.lastError().nativeErrorCode() == QLatin1String("26"); // SQLITE_NOTADB
        *error =
            notADatabase
                ? QStringLiteral("%1 is not a Mako Connect catalog (the file is not a SQLite "
                                 "database); choose the catalog with --catalog PATH, or move "
                                 "this file aside to start a new one there")
                      .arg(location)
                : QStringLiteral("Cannot open the catalog %1: %2").arg(location, pragma.lastError().text());
        db.close();
        return false;
    }
    pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    pragma.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    pragma.exec(QStringLiteral("PRAGMA cache_size=-32000"));
    return true;
}

const QList<QStringList> &SqliteDialect::migrations() const
{
    // Never edit a shipped entry, append a new one (and its PostgreSQL counterpart).
    static const QList<QStringList> steps{
        {
            QStringLiteral(
                "CREATE TABLE connections (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL "
                "UNIQUE, connector_id TEXT NOT NULL, config TEXT NOT NULL DEFAULT '{}', "
                "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE sync_state (connection_id INTEGER NOT NULL, entity TEXT NOT NULL, "
                           "status TEXT NOT NULL, mode TEXT NOT NULL, generation INTEGER NOT NULL DEFAULT 0, "
                           "since TEXT, next_since TEXT, state TEXT NOT NULL, run_id INTEGER, "
                           "updated_at INTEGER NOT NULL, PRIMARY KEY (connection_id, entity))"),
            QStringLiteral(
                "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, connection_id INTEGER NOT "
                "NULL, status TEXT NOT NULL, mode TEXT NOT NULL, entities TEXT NOT NULL, started_at "
                "INTEGER NOT NULL, finished_at INTEGER, records INTEGER NOT NULL DEFAULT 0, "
                "entity_counts TEXT, error TEXT, pid INTEGER)"),
            QStringLiteral("CREATE INDEX runs_by_connection ON runs (connection_id, id)"),
            QStringLiteral(
                "CREATE TABLE run_log (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, "
                "at INTEGER NOT NULL, level TEXT NOT NULL, entity TEXT, message TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX run_log_by_run ON run_log (run_id, id)"),
            // Records stay exactly as the API sent them; the unique key makes every write an upsert (I2).
            QStringLiteral("CREATE TABLE records (connection_id INTEGER NOT NULL, entity TEXT NOT NULL, "
                           "record_key TEXT NOT NULL, data TEXT NOT NULL, synced_at INTEGER NOT NULL, "
                           "generation INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral(
                "CREATE UNIQUE INDEX records_by_key ON records (connection_id, entity, record_key)"),
        },
        {
            // Run history counts what each chunk committed, in the chunk's own transaction; an interrupted
            // run ends at its last commit; each entity's outcome (done, failed with why, skipped) is kept.
            QStringLiteral("ALTER TABLE runs ADD COLUMN last_commit_at INTEGER"),
            QStringLiteral("ALTER TABLE runs ADD COLUMN entity_results TEXT"),
        },
        {
            // Facts about the catalog as a whole, e.g. which store holds its connections' secrets.
            QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
        },
        {
            // Each entity's inferred schema: per field path, the kinds of value committed (counts, JSON),
            // and those of the full refresh under way (pass_*), which replace them when it completes.
            QStringLiteral(
                "CREATE TABLE entity_fields (connection_id INTEGER NOT NULL, entity TEXT NOT NULL, "
                "path TEXT NOT NULL, position INTEGER NOT NULL, declared TEXT, counts TEXT NOT NULL, "
                "pass_generation INTEGER, pass_counts TEXT, "
                "PRIMARY KEY (connection_id, entity, path))"),
        },
        {
            // When a connection syncs by itself (Schedule::spec()), in which time zone, since when.
            QStringLiteral("CREATE TABLE schedules (connection_id INTEGER PRIMARY KEY, spec TEXT NOT NULL, "
                           "time_zone TEXT, set_at INTEGER NOT NULL, last_fired INTEGER)"),
        },
        {
            // Which machine ran each run (with pid): a worker on another host is not judged by our pids.
            QStringLiteral("ALTER TABLE runs ADD COLUMN host TEXT"),
        },
        {}, // PostgreSQL's conversions in parallel plans: nothing to do here
        {
            // Records a full refresh removed (no longer in the source), committed with the removal.
            QStringLiteral("ALTER TABLE runs ADD COLUMN removed INTEGER NOT NULL DEFAULT 0"),
        },
    };
    return steps;
}

QStringList SqliteDialect::beginMigration() const
{
    // IMMEDIATE takes the write lock first, so two processes opening a new catalog don't both migrate.
    return {QStringLiteral("BEGIN IMMEDIATE")};
}

QString SqliteDialect::beginWrite() const
{
    return QStringLiteral("BEGIN IMMEDIATE");
}

qint64 SqliteDialect::dataVersion(const QSqlDatabase &db) const
{
    QSqlQuery q(db);
    return q.exec(QStringLiteral("PRAGMA data_version")) && q.next() ? q.value(0).toLongLong() : -1;
}

QString SqliteDialect::addRunCommitSql() const
{
    return QStringLiteral(
        "UPDATE runs SET records = records + ?, last_commit_at = ?, entity_counts = json_set("
        "coalesce(entity_counts, '{}'), ?, coalesce(json_extract(entity_counts, ?), 0) + ?) WHERE id = ?");
}

QString SqliteDialect::runCountKey(const QString &entity) const
{
    QString key = entity;
    key.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QStringLiteral("$.\"%1\"").arg(key);
}

QString SqliteDialect::childViewsSql() const
{
    return QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE ? ESCAPE '\\' "
                          "AND sql LIKE '%json_each(%'");
}

QString SqliteDialect::claimScheduleSql() const
{
    // One writer at a time: the condition alone decides.
    return QStringLiteral("UPDATE schedules SET last_fired = ? WHERE connection_id = ? AND last_fired IS ?");
}

QString SqliteDialect::typed(const FieldStats &field, const QString &json, const QString &path) const
{
    return FieldSql::typed(field, json, path);
}

QString SqliteDialect::raw(const QString &json, const QString &path) const
{
    return FieldSql::raw(json, path);
}

QString SqliteDialect::childViewFrom(const QString &path, const QString &where) const
{
    return QStringLiteral(
               "FROM records r, json_each(r.data, %1) j WHERE %2 AND json_type(j.value) = 'object'")
        .arg(FieldSql::jsonPath(FieldSql::segments(path)), where);
}

QString SqliteDialect::childPosition() const
{
    return QStringLiteral("j.key");
}

void *SqliteDialect::sqliteHandle(const QSqlDatabase &db)
{
    if (m_sqliteChecked)
        return m_sqlite;
    m_sqliteChecked = true;
    const QVariant handle = db.driver()->handle();
    QSqlQuery version(db);
    version.exec(QStringLiteral("SELECT sqlite_version()"));
    const bool sameLibrary =
        version.next() && version.value(0).toString() == QLatin1String(sqlite3_libversion());
    if (sameLibrary && handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        m_sqlite = *static_cast<sqlite3 *const *>(handle.data());
    return m_sqlite;
}

bool SqliteDialect::upsertRecords(QSqlDatabase &db, qint64 connectionId, const QString &entity,
                                  qint64 generation, const RecordBatch &records, QString *error,
                                  Failure *failure)
{
    // The hot path binds straight into SQLite through the driver's handle, when Qt's driver uses the SQLite
    // library this binary links (sqliteHandle checks); else one QSqlQuery per record.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto *sqlite = static_cast<sqlite3 *>(sqliteHandle(db));
    if (sqlite && !m_upsert) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v3(sqlite, kUpsert, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) == SQLITE_OK)
            m_upsert = stmt;
    }
    if (auto *upsert = static_cast<sqlite3_stmt *>(m_upsert)) {
        const QByteArray entityText = entity.toUtf8();
        sqlite3_bind_int64(upsert, 1, connectionId);
        sqlite3_bind_text(upsert, 2, entityText.constData(), int(entityText.size()), SQLITE_STATIC);
        sqlite3_bind_int64(upsert, 5, now);
        sqlite3_bind_int64(upsert, 6, generation);
        for (const Record &record : records) {
            sqlite3_bind_text(upsert, 3, record.key.constData(), int(record.key.size()), SQLITE_STATIC);
            sqlite3_bind_text(upsert, 4, record.json.constData(), int(record.json.size()), SQLITE_STATIC);
            const int rc = sqlite3_step(upsert);
            sqlite3_reset(upsert);
            if (rc != SQLITE_DONE) {
                *error = sqliteMessage(sqlite, rc);
                const int primary = rc & 0xff;
                *failure = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? Failure::Busy
                           : primary == SQLITE_FULL                           ? Failure::Full
                                                                              : Failure::Other;
                sqlite3_clear_bindings(upsert);
                return false;
            }
        }
        sqlite3_clear_bindings(upsert);
        return true;
    }
    QSqlQuery query(db);
    query.prepare(QString::fromLatin1(kUpsert).replace(QRegularExpression(QStringLiteral("\\?\\d")),
                                                       QStringLiteral("?")));
    for (const Record &record : records) {
        query.addBindValue(connectionId);
        query.addBindValue(entity);
        query.addBindValue(QString::fromUtf8(record.key));
        query.addBindValue(QString::fromUtf8(record.json));
        query.addBindValue(now);
        query.addBindValue(generation);
        if (!query.exec()) {
            *error = QStringLiteral("Catalog write failed: %1").arg(query.lastError().text());
            *failure = classify(query.lastError());
            return false;
        }
    }
    return true;
}

CatalogDialect::Failure SqliteDialect::classify(const QSqlError &error) const
{
    const QString text = error.text();
    if (text.contains(QLatin1String("database is locked")) ||
        text.contains(QLatin1String("database table is locked")))
        return Failure::Busy;
    if (error.nativeErrorCode() == QLatin1String("9")) // SQLITE_INTERRUPT
        return Failure::Cancelled;
    return text.contains(QLatin1String("database or disk is full")) ? Failure::Full : Failure::Other;
}

bool SqliteDialect::openReadOnly(QSqlDatabase &db, const QString &location, QString *error) const
{
    db.setDatabaseName(location);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery pragma(db);
    pragma.exec(QStringLiteral("PRAGMA query_only = 1"));
    return true;
}

std::unique_ptr<QueryCanceller> SqliteDialect::canceller(const QSqlDatabase &db) const
{
    sqlite3 *handle = handleOf(db);
    return handle ? std::make_unique<SqliteCanceller>(handle) : nullptr;
}

QString SqliteDialect::statementProblem(const QSqlDatabase &db, const QString &sql,
                                        QString *statementText) const
{
    *statementText = sql;
    sqlite3 *sqlite = handleOf(db);
    if (!sqlite)
        return {};
    const QByteArray text = sql.toUtf8();
    sqlite3_stmt *statement = nullptr;
    const char *tail = nullptr;
    if (sqlite3_prepare_v2(sqlite, text.constData(), int(text.size()), &statement, &tail) != SQLITE_OK ||
        !statement) {
        sqlite3_finalize(statement);
        return {};
    }
    const bool reads = sqlite3_stmt_readonly(statement) != 0;
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

QString SqliteDialect::objectsSql() const
{
    return QStringLiteral("SELECT type, name FROM sqlite_master WHERE type IN ('table','view') AND name NOT "
                          "LIKE 'sqlite_%' ORDER BY type, name");
}

QString SqliteDialect::sampleFieldsSql() const
{
    return QStringLiteral(
        "SELECT j.key, j.type FROM (SELECT data FROM records WHERE connection_id = ? AND entity = ? "
        "ORDER BY record_key LIMIT 100) r, json_each(r.data) j WHERE json_valid(r.data)");
}

QString SqliteDialect::integerKey() const
{
    return QStringLiteral("CAST(record_key AS INTEGER)");
}

QString SqliteDialect::jsonText(const QString &json, const QString &path) const
{
    return QStringLiteral("(%1 -> %2)").arg(json, FieldSql::jsonPath(FieldSql::segments(path)));
}

QString SqliteDialect::anyValueLike() const
{
    return QStringLiteral(
        "EXISTS (SELECT 1 FROM json_each(records.data) j WHERE j.value LIKE ? ESCAPE '\\')");
}

QString SqliteDialect::dataContains() const
{
    // LIKE folds ASCII case as the exact test does, in half the time of instr(lower(data), ...).
    return QStringLiteral("data LIKE ? ESCAPE '\\'");
}

QString SqliteDialect::direction(Qt::SortOrder order) const
{
    return order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC"); // NULLs are least
}

QString SqliteDialect::floorOf(const QString &expr) const
{
    return QStringLiteral("CAST(%1 AS INTEGER)").arg(expr); // truncation: the floor of what is not negative
}

QString SqliteDialect::dateBucket(const QString &value, HistogramUnit unit, FieldType) const
{
    // Timestamps and dates are ISO text here: a prefix is the day, month or year.
    switch (unit) {
    case HistogramUnit::Week:
        return QStringLiteral("date(substr(%1, 1, 10), 'weekday 0', '-6 days')").arg(value);
    case HistogramUnit::Month:
        return QStringLiteral("substr(%1, 1, 7)").arg(value);
    case HistogramUnit::Year:
        return QStringLiteral("substr(%1, 1, 4)").arg(value);
    case HistogramUnit::Day:
    case HistogramUnit::None:
    case HistogramUnit::Number:
        break;
    }
    return QStringLiteral("substr(%1, 1, 10)").arg(value);
}
