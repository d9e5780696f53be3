// The catalog (SQLite, or PostgreSQL under tests/with-postgres.sh) and its single writer: migrations, upserts
// keyed by (connection, entity, key), a chunk and its FetchState in one transaction, views, removal, stale
// runs; and the file secret store.
#include "catalog.h"
#include "catalogwriter.h"
#include "secretstore.h"
#include "synclock.h"
#include "testcatalog.h"

#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestCatalog : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
    QString freshPath()
    {
        return TestCatalogs::fresh(m_dir.filePath(QStringLiteral("c%1.sqlite").arg(++m_counter)));
    }

    static RecordBatch batch(int from, int to, const QByteArray &tag = "v1")
    {
        RecordBatch records;
        for (int i = from; i < to; ++i) {
            const QByteArray key = "rec_" + QByteArray::number(i);
            records.append({key, "{\"id\":\"" + key + "\",\"n\":" + QByteArray::number(i) + ",\"tag\":\"" +
                                     tag + "\"}"});
        }
        return records;
    }

private slots:
    void migratesAndReopens()
    {
        const QString path = freshPath();
        {
            Catalog catalog(path);
            QVERIFY2(catalog.isOpen(), qPrintable(catalog.errorString()));
            QSqlQuery q(catalog.database());
            q.exec(QStringLiteral("SELECT version FROM schema_version"));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), Catalog::schemaVersion());
            if (catalog.backend() == CatalogBackend::Sqlite) {
                q.exec(QStringLiteral("PRAGMA journal_mode"));
                QVERIFY(q.next());
                QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
            }
        }
        Catalog again(path);
        QVERIFY(again.isOpen());
        QVERIFY(again.connections().isEmpty());
    }

    // Processes opening one new catalog at once: one migrates, the others wait for it; none fails and the
    // schema is there once.
    void processesOpeningANewCatalogMigrateItOnce()
    {
        const QString path = freshPath();
        std::vector<std::unique_ptr<QProcess>> processes;
        for (int i = 0; i < 4; ++i) {
            processes.push_back(std::make_unique<QProcess>());
            processes.back()->start(
                QStringLiteral(MC_CLI_PATH),
                {QStringLiteral("--catalog"), path, QStringLiteral("connections"), QStringLiteral("list")});
        }
        for (const auto &process : processes) {
            QVERIFY(process->waitForFinished(60000));
            QVERIFY2(process->exitCode() == 0, process->readAllStandardError().constData());
        }
        Catalog catalog(path);
        QVERIFY2(catalog.isOpen(), qPrintable(catalog.errorString()));
        QSqlQuery q(catalog.database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), max(version) FROM schema_version")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QCOMPARE(q.value(1).toInt(), Catalog::schemaVersion());
    }

    void refusesANewerSchema()
    {
        const QString path = freshPath();
        {
            Catalog catalog(path);
            QSqlQuery(catalog.database()).exec(QStringLiteral("UPDATE schema_version SET version = 999"));
        }
        Catalog newer(path);
        QVERIFY(!newer.isOpen());
        QVERIFY2(newer.errorString().contains(QLatin1String("newer")), qPrintable(newer.errorString()));
    }

    void unwritableLocationIsExplained()
    {
        Catalog catalog(QStringLiteral("/proc/mako-nowhere/catalog.sqlite"));
        QVERIFY(!catalog.isOpen());
        QVERIFY(catalog.errorString().contains(QLatin1String("/proc/mako-nowhere")));
    }

    // A catalog URL that does not open says why and what to do, and never shows its password.
    void aPostgresUrlThatDoesNotOpenIsExplained()
    {
        Catalog refused(QStringLiteral("postgresql://mako:s3cret-pw@127.0.0.1:1/team"));
        QVERIFY(!refused.isOpen());
        QVERIFY2(refused.errorString().contains(
                     QLatin1String("Cannot reach the PostgreSQL server at 127.0.0.1:1")),
                 qPrintable(refused.errorString()));
        QVERIFY(!refused.errorString().contains(QLatin1String("s3cret-pw")));
        QCOMPARE(CatalogLocation::display(QStringLiteral("postgresql://mako:s3cret-pw@db:5432/team")),
                 QStringLiteral("postgresql://mako@db:5432/team"));
        if (!TestCatalogs::onPostgres())
            return;
        Catalog missing(qEnvironmentVariable("MAKO_TEST_POSTGRES") + QStringLiteral("/no_such_db"));
        QVERIFY(!missing.isOpen());
        QVERIFY2(missing.errorString().contains(QLatin1String("\"no_such_db\" does not exist")) &&
                     missing.errorString().contains(QLatin1String("createdb no_such_db")),
                 qPrintable(missing.errorString()));
    }

    void connectionsAreUniqueByName()
    {
        Catalog catalog(freshPath());
        const qint64 id =
            catalog.addConnection(QStringLiteral("prod"), QStringLiteral("stripe"),
                                  QJsonObject{{QStringLiteral("base_url"), QStringLiteral("https://x")}});
        QVERIFY(id > 0);
        QCOMPARE(catalog.addConnection(QStringLiteral("prod"), QStringLiteral("stripe"), {}), 0);
        QVERIFY(catalog.errorString().contains(QLatin1String("already exists")));
        QCOMPARE(
            catalog.connection(QStringLiteral("prod"))->config.value(QStringLiteral("base_url")).toString(),
            QStringLiteral("https://x"));
        QVERIFY(catalog.updateConnection(id, QStringLiteral("production"), {}));
        QVERIFY(catalog.connection(QStringLiteral("production")));
    }

    void chunksUpsertAndCommitWithTheirState()
    {
        const QString path = freshPath();
        Catalog reader(path);
        const qint64 id = reader.addConnection(QStringLiteral("src"), QStringLiteral("stripe"), {});
        CatalogWriter writer(path, 2);
        QString error;
        QVERIFY2(writer.start(&error), qPrintable(error));

        auto chunk = [&](RecordBatch records, qint64 processed, bool hasMore) {
            ChunkWrite c;
            c.connectionId = id;
            c.records = std::move(records);
            c.state.entity = QStringLiteral("things");
            c.state.status = hasMore ? QStringLiteral("running") : QStringLiteral("done");
            c.state.mode = QStringLiteral("full");
            c.state.generation = 1;
            c.state.state.totalProcessed = processed;
            c.state.state.hasMore = hasMore;
            c.state.state.cursor = QStringLiteral("rec_%1").arg(processed - 1);
            return c;
        };
        writer.writeChunk(chunk(batch(0, 500), 500, true));
        writer.writeChunk(chunk(batch(250, 750, "v2"), 750, false)); // overlaps: a retried page
        writer.flush();
        QCOMPARE(reader.recordCount(id, QStringLiteral("things")), 750);
        QSqlQuery q(reader.database());
        q.exec(QStringLiteral("SELECT %1 FROM records WHERE record_key = 'rec_300'")
                   .arg(TestCatalogs::jsonText(QStringLiteral("data"), QStringLiteral("tag"))));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("v2"));
        const auto state = reader.entityState(id, QStringLiteral("things"));
        QVERIFY(state);
        QCOMPARE(state->state.totalProcessed, 750);
        QCOMPARE(state->status, QStringLiteral("done"));
        QCOMPARE(state->state.cursor, QStringLiteral("rec_749"));
        QCOMPARE(writer.recordsWritten(), 1000);
        QCOMPARE(writer.chunksWritten(), 2);
    }

    void failedChunkLeavesNothingBehind()
    {
        const QString path = freshPath();
        Catalog reader(path);
        const qint64 id = reader.addConnection(QStringLiteral("src"), QStringLiteral("stripe"), {});
        // A trigger makes the 3rd insert of the chunk fail: the whole chunk and its state must roll back
        // (I1).
        QVERIFY(TestCatalogs::failInserts(reader.database(), QStringLiteral("records"),
                                          QStringLiteral("NEW.record_key = 'rec_2'"),
                                          QStringLiteral("disk on fire")));
        CatalogWriter writer(path);
        QString error;
        QVERIFY(writer.start(&error));
        bool ok = true;
        QString reported;
        ChunkWrite c;
        c.connectionId = id;
        c.records = batch(0, 5);
        c.state.entity = QStringLiteral("things");
        c.state.status = QStringLiteral("running");
        c.state.state.totalProcessed = 5;
        c.done = [&](bool success, const QString &message) {
            ok = success;
            reported = message;
        };
        writer.writeChunk(std::move(c));
        writer.flush();
        QVERIFY(!ok);
        QVERIFY2(reported.contains(QLatin1String("disk on fire")), qPrintable(reported));
        QCOMPARE(reader.recordCount(id, QStringLiteral("things")), 0);
        QVERIFY(!reader.entityState(id, QStringLiteral("things")));
    }

    void schemaCountsOnlyWhatCommitted()
    {
        // The writer keeps an entity's schema rows between commits; a chunk that rolls back must leave no
        // count behind in them, nor in the catalog.
        const QString path = freshPath();
        Catalog reader(path);
        const qint64 id = reader.addConnection(QStringLiteral("src"), QStringLiteral("stripe"), {});
        QVERIFY(TestCatalogs::failInserts(reader.database(), QStringLiteral("entity_fields"),
                                          QStringLiteral("NEW.path = 'extra'"),
                                          QStringLiteral("disk on fire")));
        CatalogWriter writer(path);
        QString error;
        QVERIFY(writer.start(&error));
        const SchemaHints hints;
        QList<bool> outcomes;
        const auto write = [&](int from, int to, const QByteArray &tag) {
            ChunkWrite c;
            c.connectionId = id;
            c.records = batch(from, to, tag);
            c.state.entity = QStringLiteral("things");
            c.state.runId = 7;
            c.state.status = QStringLiteral("running");
            c.state.state.totalProcessed = to;
            SchemaObserver observer(hints);
            for (const Record &record : std::as_const(c.records))
                observer.observe(record.json);
            c.observed = observer.take();
            c.done = [&](bool ok, const QString &) { outcomes.append(ok); };
            writer.writeChunk(std::move(c));
            writer.flush();
        };
        const auto counts = [&](const QString &path) {
            for (const FieldStats &field : reader.entityFields(id, QStringLiteral("things"))) {
                if (field.path == path)
                    return field.counts;
            }
            return FieldCounts();
        };
        write(0, 10, "v1");
        write(10, 15, "v1\",\"extra\":\"x"); // rolls back at the new field, after the others were merged
        QCOMPARE(outcomes, QList<bool>({true, false}));
        QCOMPARE(counts(QStringLiteral("n")).total(), 10);
        writer.forgetFailure(id, QStringLiteral("things"), 7);
        QVERIFY(TestCatalogs::stopFailingInserts(reader.database(), QStringLiteral("entity_fields")));
        write(20, 25, "v1");
        write(25, 30, "v1");
        QCOMPARE(outcomes, QList<bool>({true, false, true, true}));
        QCOMPARE(counts(QStringLiteral("n")).total(), 20);
        QCOMPARE(counts(QStringLiteral("n"))[ValueKind::Integer], 20);
        QCOMPARE(counts(QStringLiteral("n")).largestInteger, 29);
        QCOMPARE(counts(QStringLiteral("tag"))[ValueKind::Text], 20);
    }

    void fullRefreshGenerationsAndViews()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        const qint64 id =
            catalog.addConnection(QStringLiteral("Stripe — prod!"), QStringLiteral("stripe"), {});
        CatalogWriter writer(path);
        QString error;
        QVERIFY(writer.start(&error));
        ChunkWrite old;
        old.connectionId = id;
        old.records = batch(0, 10);
        old.state.entity = QStringLiteral("things");
        old.state.generation = 1;
        writer.writeChunk(std::move(old));
        ChunkWrite fresh;
        fresh.connectionId = id;
        fresh.records = batch(0, 6);
        fresh.state.entity = QStringLiteral("things");
        fresh.state.generation = 2;
        writer.writeChunk(std::move(fresh));
        writer.flush();
        QCOMPARE(catalog.recordCount(id, QStringLiteral("things")), 10);
        QCOMPARE(catalog.removeRecordsOlderThan(id, QStringLiteral("things"), 2), 4);
        QCOMPARE(catalog.recordCount(id, QStringLiteral("things")), 6);

        QVERIFY(catalog.refreshEntityView(id, QStringLiteral("things")));
        const QString view = Catalog::viewName(QStringLiteral("Stripe — prod!"), QStringLiteral("things"));
        QCOMPARE(view, QStringLiteral("stripe_prod__things"));
        QSqlQuery q(catalog.database());
        QVERIFY(q.exec(QStringLiteral("SELECT id, n, tag FROM stripe_prod__things ORDER BY n")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("rec_0"));
        QCOMPARE(q.value(1).toInt(), 0);

        QVERIFY(catalog.removeConnection(id));
        QCOMPARE(catalog.recordCount(id, QStringLiteral("things")), 0);
        QVERIFY(!q.exec(QStringLiteral("SELECT * FROM stripe_prod__things")));
    }

    // The typed view compares numbers as numbers and reads timestamps as instants, on either engine.
    void typedViewsHoldTypedValues()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        const qint64 id = catalog.addConnection(QStringLiteral("typed"), QStringLiteral("stripe"), {});
        CatalogWriter writer(path);
        QString error;
        QVERIFY(writer.start(&error));
        ChunkWrite c;
        c.connectionId = id;
        c.state.entity = QStringLiteral("things");
        c.records = {{"a", R"({"id":"a","n":10,"amount":12.5,"ok":true,"at":"2024-01-05T10:00:00Z"})"},
                     {"b", R"({"id":"b","n":9,"amount":3,"ok":false,"at":"2024-01-05T12:00:00+02:00"})"},
                     {"c", R"({"id":"c","n":100,"amount":-0.5,"ok":true,"at":"2024-01-06T00:00:00Z"})"}};
        const SchemaHints hints;
        SchemaObserver observer(hints);
        for (const Record &record : std::as_const(c.records))
            observer.observe(record.json);
        c.observed = observer.take();
        writer.writeChunk(std::move(c));
        writer.flush();
        QVERIFY(catalog.refreshEntityView(id, QStringLiteral("things")));
        QSqlQuery q(catalog.database());
        QVERIFY2(q.exec(QStringLiteral("SELECT id, n, amount, ok, at FROM typed__things ORDER BY n")),
                 qPrintable(q.lastError().text()));
        QStringList order;
        QList<QDateTime> at;
        double amounts = 0;
        int oks = 0;
        while (q.next()) {
            order.append(q.value(0).toString());
            amounts += q.value(2).toDouble();
            oks += q.value(3).toBool() ? 1 : 0;
            at.append(q.value(4).toDateTime().toUTC());
        }
        QCOMPARE(order, QStringList({"b", "a", "c"})); // 9 < 10 < 100: numbers, not text
        QCOMPARE(amounts, 15.0);
        QCOMPARE(oks, 2);
        const QDateTime ten(QDate(2024, 1, 5), QTime(10, 0), Qt::UTC);
        QCOMPARE(at, QList<QDateTime>({ten, ten, QDateTime(QDate(2024, 1, 6), QTime(0, 0), Qt::UTC)}));
        if (!TestCatalogs::onPostgres())
            return;
        // A big entity gets a parallel plan, where the conversions must be allowed too (a PL/pgSQL
        // EXCEPTION block cannot run in a parallel worker). Forced here on three rows.
        for (const QString &setting :
             {QStringLiteral("SET parallel_setup_cost = 0"), QStringLiteral("SET parallel_tuple_cost = 0"),
              QStringLiteral("SET min_parallel_table_scan_size = 0"),
              QStringLiteral("SET max_parallel_workers_per_gather = 2"),
              QStringLiteral("SET force_parallel_mode = on")})
            QSqlQuery(catalog.database()).exec(setting);
        const auto reset =
            qScopeGuard([&] { QSqlQuery(catalog.database()).exec(QStringLiteral("RESET ALL")); });
        QSqlQuery parallel(catalog.database());
        QVERIFY2(
            parallel.exec(QStringLiteral("SELECT count(*) FROM typed__things WHERE at >= '2024-01-05' AND "
                                         "n > 5 AND ok AND amount > 0")),
            qPrintable(parallel.lastError().text()));
        QVERIFY(parallel.next());
        QCOMPARE(parallel.value(0).toInt(), 1); // a

        // A catalog made before the fix is mended when a newer Mako Connect opens it.
        QSqlQuery old(catalog.database());
        QVERIFY(old.exec(QStringLiteral("ALTER FUNCTION mako_timestamp(jsonb, boolean) PARALLEL SAFE")));
        // As schema 6 left it: before migration 7 (this fix) and 8 (runs.removed).
        QVERIFY(old.exec(QStringLiteral("ALTER TABLE runs DROP COLUMN removed")));
        QVERIFY(old.exec(QStringLiteral("UPDATE schema_version SET version = 6")));
        QVERIFY(!old.exec(parallel.lastQuery()));
        Catalog reopened(path);
        QVERIFY2(reopened.isOpen(), qPrintable(reopened.errorString()));
        QVERIFY2(parallel.exec(parallel.lastQuery()), qPrintable(parallel.lastError().text()));
    }

    void staleRunsBecomeInterrupted()
    {
        Catalog catalog(freshPath());
        const qint64 id = catalog.addConnection(QStringLiteral("x"), QStringLiteral("stripe"), {});
        const qint64 run = catalog.startRun(id, QStringLiteral("full"), {QStringLiteral("things")});
        // Pretend a process that no longer exists owned it.
        QSqlQuery(catalog.database())
            .exec(QStringLiteral("UPDATE runs SET pid = 999999999 WHERE id = %1").arg(run));
        QCOMPARE(catalog.markStaleRuns(), 1);
        QCOMPARE(catalog.run(run)->status, QStringLiteral("interrupted"));
        const qint64 live = catalog.startRun(id, QStringLiteral("full"), {});
        QCOMPARE(catalog.markStaleRuns(), 0); // our own run is alive
        QCOMPARE(catalog.run(live)->status, QStringLiteral("running"));
    }

    // A run another machine's worker left "running": on PostgreSQL its connection's free lock says that
    // worker is gone; on SQLite nothing here can tell, so it is left alone.
    void aRunOfAnotherHostIsJudgedByItsLock()
    {
        const QString path = freshPath();
        Catalog catalog(path);
        const qint64 id = catalog.addConnection(QStringLiteral("x"), QStringLiteral("stripe"), {});
        const qint64 run = catalog.startRun(id, QStringLiteral("full"), {QStringLiteral("things")});
        QVERIFY(
            QSqlQuery(catalog.database())
                .exec(QStringLiteral("UPDATE runs SET host = 'worker-elsewhere', pid = 4242 WHERE id = %1")
                          .arg(run)));
        const std::unique_ptr<SyncLocks> locks = CatalogDialect::syncLocks(path);
        SyncLockHolder holder;
        QString error;
        std::unique_ptr<SyncLock> held = locks->tryLock(id, &holder, &error); // that worker, still syncing
        QVERIFY2(held, qPrintable(error));
        QCOMPARE(catalog.markStaleRuns(), 0);
        held.reset(); // its session ended
        const bool visible = catalog.backend() == CatalogBackend::Postgres;
        QCOMPARE(catalog.markStaleRuns(), visible ? 1 : 0);
        QCOMPARE(catalog.run(run)->status,
                 visible ? QStringLiteral("interrupted") : QStringLiteral("running"));
    }

    void fileSecretStore()
    {
        const QString path = m_dir.filePath(QStringLiteral("secrets"));
        FileSecretStore store(path);
        QString error;
        QVERIFY(
            store.write(SecretStore::keyFor(1, QStringLiteral("api_key")), QStringLiteral("sk_1"), &error));
        QVERIFY(
            store.write(SecretStore::keyFor(2, QStringLiteral("api_key")), QStringLiteral("sk_2"), &error));
        QCOMPARE(QFile::permissions(path) & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                              QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::Permissions());
        FileSecretStore other(path); // another process's view
        QCOMPARE(other.read(SecretStore::keyFor(1, QStringLiteral("api_key"))), QStringLiteral("sk_1"));
        QVERIFY(store.remove(SecretStore::keyFor(1, QStringLiteral("api_key"))));
        QCOMPARE(other.read(SecretStore::keyFor(1, QStringLiteral("api_key"))), QString());
        QCOMPARE(other.read(SecretStore::keyFor(2, QStringLiteral("api_key"))), QStringLiteral("sk_2"));

        QFile damaged(path);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{not json");
        damaged.close();
        other.read(QStringLiteral("1/api_key"), &error);
        QVERIFY2(error.contains(QLatin1String("damaged")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestCatalog)
#include "tst_catalog.moc"
