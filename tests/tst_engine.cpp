// The sync engine's own guarantees, with in-test connectors that need no network: bounded parallel entities,
// a connector that stops making progress, a full disk, and an engine closed mid-sync.
#include "testutil.h"

#include <QProcess>
#include <QSqlError>
#include <QSysInfo>

#include <atomic>

namespace {

std::atomic<int> s_running{0};
std::atomic<int> s_maxRunning{0};
std::atomic<bool> s_failing{true}; // whether fail_entity/fail_at apply

// What the counting connector was asked for: per entity, the fetches and the offset of the first one.
QMutex s_askedMutex;
QHash<QString, int> s_fetches;
QHash<QString, qint64> s_firstOffset;

void forgetAsked()
{
    QMutexLocker lock(&s_askedMutex);
    s_fetches.clear();
    s_firstOffset.clear();
}

// Produces `count` small records per entity in pages of batchSize; pauses a little per page so entities
// overlap.
class CountingConnector : public BaseConnector
{
public:
    static ConnectorMetadata staticMetadata()
    {
        ConnectorMetadata m;
        m.id = QStringLiteral("test-counting");
        m.name = QStringLiteral("Counting");
        m.version = QStringLiteral("1");
        m.description = QStringLiteral("test");
        m.iconPath = QStringLiteral(":/icons/connector-generic.svg");
        for (const char *name : {"a", "b", "c", "d"})
            m.entities.append(EntityInfo{QString::fromLatin1(name),
                                         QString::fromLatin1(name),
                                         QStringLiteral("id"),
                                         IncrementalMode::None,
                                         {},
                                         {},
                                         {},
                                         {}});
        ConfigField count;
        count.name = QStringLiteral("count");
        count.label = QStringLiteral("Records");
        count.type = ConfigField::Type::Integer;
        count.defaultValue = 1000;
        ConfigField pause;
        pause.name = QStringLiteral("pause_ms");
        pause.label = QStringLiteral("Pause");
        pause.type = ConfigField::Type::Integer;
        pause.defaultValue = 0;
        ConfigField failEntity;
        failEntity.name = QStringLiteral("fail_entity");
        failEntity.label = QStringLiteral("Entity whose page fails");
        ConfigField failAt;
        failAt.name = QStringLiteral("fail_at");
        failAt.label = QStringLiteral("Offset of the page that fails (0: none)");
        failAt.type = ConfigField::Type::Integer;
        failAt.defaultValue = 0; // none
        ConfigField noTotal;
        noTotal.name = QStringLiteral("no_total");
        noTotal.label = QStringLiteral("Say no total, as many APIs do");
        noTotal.type = ConfigField::Type::Boolean;
        noTotal.defaultValue = false;
        m.config = {count, pause, failEntity, failAt, noTotal};
        return m;
    }

    TestResult testConnection() override { return {true, QStringLiteral("ok"), {}}; }

    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override
    {
        const int running = ++s_running;
        int seen = s_maxRunning.load();
        while (running > seen && !s_maxRunning.compare_exchange_weak(seen, running)) {
        }
        FetchState state = options.state;
        const qint64 count = configInt(QStringLiteral("count"));
        {
            QMutexLocker lock(&s_askedMutex);
            if (s_fetches[options.entity]++ == 0)
                s_firstOffset.insert(options.entity, state.offset);
        }
        try {
            while (state.hasMore && state.iterationsInChunk < options.maxIterations) {
                if (configInt(QStringLiteral("pause_ms")) > 0)
                    sleep(int(configInt(QStringLiteral("pause_ms"))));
                if (s_failing && options.entity == configString(QStringLiteral("fail_entity")) &&
                    state.offset > 0 && state.offset == configInt(QStringLiteral("fail_at")))
                    throw ConnectorError(
                        QStringLiteral("The test API refused the page at %1").arg(state.offset),
                        ConnectorError::Kind::Api);
                RecordBatch batch;
                for (qint64 i = state.offset; i < qMin(count, state.offset + options.batchSize); ++i) {
                    const QByteArray key = options.entity.toUtf8() + '_' + QByteArray::number(i);
                    batch.append({key, "{\"id\":\"" + key + "\",\"i\":" + QByteArray::number(i) + "}"});
                }
                state.offset += batch.size();
                state.totalProcessed += batch.size();
                state.total = configBool(QStringLiteral("no_total")) ? -1 : count;
                state.hasMore = state.offset < count;
                ++state.iterationsInChunk;
                options.onBatch(std::move(batch));
            }
        } catch (...) {
            --s_running;
            throw;
        }
        --s_running;
        return state;
    }
};

// Says there is more but never moves.
class StuckConnector : public CountingConnector
{
public:
    static ConnectorMetadata staticMetadata()
    {
        ConnectorMetadata m = CountingConnector::staticMetadata();
        m.id = QStringLiteral("test-stuck");
        m.name = QStringLiteral("Stuck");
        return m;
    }
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override
    {
        FetchState state = options.state;
        state.hasMore = true;
        return state;
    }
};

} // namespace

class TestEngine : public QObject
{
    Q_OBJECT

    // SQLite's own wait for a lock on the writer's connection, shortened so a test need not hold one 15 s.
    static void setBusyTimeout(EngineFixture &fx, int ms)
    {
        fx.engine->writer()
            ->submit([ms](Catalog &catalog) {
                return QVariant(
                    QSqlQuery(catalog.database()).exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(ms)));
            })
            .waitForFinished();
    }

    // Starts another program that takes the catalog's write lock and keeps it until it reads a line.
    static bool holdCatalog(QProcess *holder, const QString &catalogPath)
    {
        holder->start(QStringLiteral(MC_CATALOG_HOLDER_PATH), {catalogPath});
        while (holder->waitForReadyRead(20000)) {
            if (holder->readAll().contains("locked"))
                return true;
        }
        qWarning() << holder->readAllStandardError();
        return false;
    }

    static bool logged(const QSignalSpy &logs, const QString &text)
    {
        for (const QList<QVariant> &entry : logs) {
            if (entry.at(2).toString().contains(text))
                return true;
        }
        return false;
    }

private slots:
    void initTestCase()
    {
        ConnectorRegistry::instance().add(CountingConnector::staticMetadata(),
                                          [] { return std::make_unique<CountingConnector>(); });
        ConnectorRegistry::instance().add(StuckConnector::staticMetadata(),
                                          [] { return std::make_unique<StuckConnector>(); });
    }

    void parallelEntitiesAreBounded()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("n"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 2000}, {QStringLiteral("pause_ms"), 5}});
        s_maxRunning = 0;
        SyncOptions options;
        options.maxParallelEntities = 2;
        const RunSummary summary = fx.sync(c, options);
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(s_maxRunning.load(), 2);
        for (const QString &entity :
             {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")})
            QCOMPARE(fx.catalog->recordCount(c.id, entity), 2000);
        QCOMPARE(summary.processed.value(QStringLiteral("d")), 2000);
    }

    void aConnectorThatStopsMovingFails()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c = fx.addConnection(QStringLiteral("s"), QStringLiteral("test-stuck"), {});
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        const RunSummary summary = fx.sync(c, options, nullptr, 20000);
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("no new position")), qPrintable(summary.error));
    }

    void aFullDiskFailsTheSyncAndKeepsWhatWasCommitted()
    {
        if (TestCatalogs::onPostgres())
            QSKIP("fills a SQLite file to its page limit");
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c = fx.addConnection(QStringLiteral("d"), QStringLiteral("test-counting"),
                                                  QJsonObject{{QStringLiteral("count"), 200000}});
        // Cap the writer connection's file size: SQLite then answers SQLITE_FULL, as on a full disk.
        QFuture<QVariant> capped = fx.engine->writer()->submit([](Catalog &catalog) {
            QSqlQuery q(catalog.database());
            q.exec(QStringLiteral("PRAGMA page_count"));
            q.next();
            const int pages = q.value(0).toInt();
            return QVariant(QSqlQuery(catalog.database())
                                .exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages + 400)));
        });
        capped.waitForFinished();
        QVERIFY(capped.result().toBool());
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        const RunSummary summary = fx.sync(c, options);
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("The catalog could not grow: the disk holding it")),
                 qPrintable(summary.error));
        const qint64 kept = fx.catalog->recordCount(c.id, QStringLiteral("a"));
        QVERIFY(kept > 0 && kept < 200000);
        const auto state = fx.catalog->entityState(c.id, QStringLiteral("a"));
        QVERIFY(state);
        QCOMPARE(state->state.totalProcessed, kept); // the state matches the data exactly (I1)
        // ...and says where to resume: not "done", more to fetch.
        QCOMPARE(state->status, QStringLiteral("failed"));
        QVERIFY(state->state.hasMore);
        QCOMPARE(fx.catalog->run(summary.runId)->records, kept); // the history counts what is saved

        // Space freed: the next sync continues at the first record not saved, not at page 1.
        QFuture<QVariant> freed = fx.engine->writer()->submit([](Catalog &catalog) {
            return QVariant(
                QSqlQuery(catalog.database()).exec(QStringLiteral("PRAGMA max_page_count = 1073741823")));
        });
        freed.waitForFinished();
        forgetAsked();
        QCOMPARE(fx.sync(c, options).status, QStringLiteral("done"));
        QCOMPARE(s_firstOffset.value(QStringLiteral("a")), kept);
        QCOMPARE(fx.catalog->recordCount(c.id, QStringLiteral("a")), 200000);
    }

    // Every page commits with the state after it: a page that always fails keeps the pages before it.
    void aPageThatAlwaysFailsKeepsEveryPageBeforeIt()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("late"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 2000},
                                         {QStringLiteral("fail_entity"), QStringLiteral("a")},
                                         {QStringLiteral("fail_at"), 700}});
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        QList<EntityProgress> seen;
        const RunSummary summary = fx.sync(c, options, &seen);
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("refused the page at 700")), qPrintable(summary.error));
        QCOMPARE(fx.catalog->recordCount(c.id, QStringLiteral("a")), 700);
        QCOMPARE(fx.catalog->entityState(c.id, QStringLiteral("a"))->state.totalProcessed, 700);
        QCOMPARE(seen.last().committed, 700); // what people are shown is what is saved
        // A second try fails at the same page but loses nothing and fetches nothing twice.
        forgetAsked();
        QCOMPARE(fx.sync(c, options).status, QStringLiteral("failed"));
        QCOMPARE(s_firstOffset.value(QStringLiteral("a")), 700);
        QCOMPARE(s_fetches.value(QStringLiteral("a")), 1);
    }

    // Rerunning a failed run continues it: entities it finished are not fetched again, the failed one
    // resumes.
    void aRerunContinuesTheFailedRun()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("rerun"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 1000},
                                         {QStringLiteral("fail_entity"), QStringLiteral("b")},
                                         {QStringLiteral("fail_at"), 500}});
        SyncOptions options;
        options.entities = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        const RunSummary failed = fx.sync(c, options);
        QCOMPARE(failed.status, QStringLiteral("partial")); // a and c done, b failed
        const RunInfo first = *fx.catalog->run(failed.runId);
        QCOMPARE(first.status, QStringLiteral("partial"));
        QCOMPARE(first.entityResults.value(QStringLiteral("b"))
                     .toObject()
                     .value(QStringLiteral("state"))
                     .toString(),
                 QStringLiteral("failed"));
        QVERIFY(first.entityResults.value(QStringLiteral("b"))
                    .toObject()
                    .value(QStringLiteral("error"))
                    .toString()
                    .contains(QLatin1String("refused the page at 500")));
        QCOMPARE(first.entityCounts.value(QStringLiteral("a")).toInteger(), 1000);
        QCOMPARE(first.entityCounts.value(QStringLiteral("b")).toInteger(), 500);
        QCOMPARE(first.records, 2500);

        s_failing = false;
        forgetAsked();
        QList<EntityProgress> seen;
        const RunSummary rerun = fx.sync(c, options, &seen);
        QCOMPARE(rerun.status, QStringLiteral("done"));
        QCOMPARE(s_fetches.value(QStringLiteral("a")), 0);
        QCOMPARE(s_fetches.value(QStringLiteral("c")), 0);
        QCOMPARE(s_firstOffset.value(QStringLiteral("b")), 500);
        QStringList skipped;
        for (const EntityProgress &p : std::as_const(seen)) {
            if (p.state == QLatin1String("skipped"))
                skipped.append(p.entity);
        }
        skipped.sort();
        QCOMPARE(skipped, QStringList({QStringLiteral("a"), QStringLiteral("c")}));
        for (const QString &entity : options.entities)
            QCOMPARE(fx.catalog->recordCount(c.id, entity), 1000);
        QCOMPARE(fx.catalog->run(rerun.runId)->records, 500);

        // That run is done: the next sync is a new full refresh of everything, as asked.
        forgetAsked();
        QCOMPARE(fx.sync(c, options).status, QStringLiteral("done"));
        s_failing = true;
        QCOMPARE(s_firstOffset.value(QStringLiteral("a")), 0);
        QCOMPARE(s_firstOffset.value(QStringLiteral("c")), 0);
    }

    // Restart: the user asks for a fresh start, so nothing is skipped or resumed.
    void restartStartsEveryEntityOver()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("restart"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 1000},
                                         {QStringLiteral("fail_entity"), QStringLiteral("b")},
                                         {QStringLiteral("fail_at"), 500}});
        SyncOptions options;
        options.entities = {QStringLiteral("a"), QStringLiteral("b")};
        QCOMPARE(fx.sync(c, options).status, QStringLiteral("partial"));
        s_failing = false;
        forgetAsked();
        options.continueInterrupted = false;
        const RunSummary fresh = fx.sync(c, options);
        s_failing = true;
        QCOMPARE(fresh.status, QStringLiteral("done"));
        QCOMPARE(s_firstOffset.value(QStringLiteral("a")), 0);
        QCOMPARE(s_firstOffset.value(QStringLiteral("b")), 0);
    }

    // While a run runs, its history row counts what is committed, in the same transaction as the records.
    // A source that says no total: the last full refresh's count stands in, said to be an estimate.
    void anUnknownTotalIsEstimatedFromTheLastFullRefresh()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("estimate"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 700}, {QStringLiteral("no_total"), true}});
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        QList<EntityProgress> seen;
        QCOMPARE(fx.sync(c, options, &seen).status, QStringLiteral("done"));
        for (const EntityProgress &p : std::as_const(seen)) // nothing to go by yet
            QVERIFY(p.total == -1 && !p.totalEstimated);
        seen.clear();
        QCOMPARE(fx.sync(c, options, &seen).status, QStringLiteral("done"));
        QVERIFY(!seen.isEmpty());
        for (const EntityProgress &p : std::as_const(seen)) {
            QCOMPARE(p.total, 700);
            QVERIFY(p.totalEstimated);
        }
        // A total the source does say replaces the estimate.
        ConnectionInfo told = c;
        told.config = QJsonObject{{QStringLiteral("count"), 700}};
        QVERIFY(fx.catalog->updateConnection(c.id, c.name, told.config));
        seen.clear();
        QCOMPARE(fx.sync(told, options, &seen).status, QStringLiteral("done"));
        QCOMPARE(seen.last().total, 700);
        QVERIFY(!seen.last().totalEstimated);
    }

    void runHistoryCountsCommittedRecordsLive()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("live"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 3000}, {QStringLiteral("pause_ms"), 10}});
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        QString error;
        SyncJob *job = fx.engine->startSync(c, options, &error);
        QVERIFY2(job, qPrintable(error));
        QSignalSpy finished(job, &SyncJob::finished);
        QTRY_VERIFY_WITH_TIMEOUT(job->runId() > 0 && fx.catalog->run(job->runId())->records >= 500, 20000);
        {
            // One read transaction: the run's count and the records agree exactly.
            QSqlDatabase db = fx.catalog->database();
            QVERIFY(db.transaction());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT (SELECT records FROM runs WHERE id = %1), (SELECT count(*) "
                                          "FROM records WHERE connection_id = %2)")
                               .arg(job->runId())
                               .arg(c.id)));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toLongLong(), q.value(1).toLongLong());
            q.finish();
            db.rollback();
        }
        QVERIFY(finished.wait(60000));
        QCOMPARE(fx.catalog->run(finished.first().first().value<RunSummary>().runId)->records, 3000);
    }

    // I7 inside the engine: a connection locked by another holder (another process, as far as the kernel
    // can tell: its own open file) is refused with who holds it.
    void aConnectionSyncingElsewhereIsRefused()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("busy"), QStringLiteral("test-counting"), {});
        const std::unique_ptr<SyncLocks> locks = CatalogDialect::syncLocks(fx.catalogPath);
        SyncLockHolder holder;
        QString error;
        std::unique_ptr<SyncLock> held = locks->tryLock(c.id, &holder, &error);
        QVERIFY2(held, qPrintable(error));
        SyncRefusal refusal = SyncRefusal::None;
        QVERIFY(!fx.engine->startSync(c, {}, &error, &refusal));
        QCOMPARE(refusal, SyncRefusal::AlreadySyncing);
        QCOMPARE(error, QStringLiteral("\"busy\" is already syncing in another process (pid %1 on host %2); "
                                       "wait for that sync to finish, or stop it there")
                            .arg(QCoreApplication::applicationPid())
                            .arg(QSysInfo::machineHostName()));
        held.reset(); // released: the sync may start
        QCOMPARE(fx.sync(c, {}).status, QStringLiteral("done"));
    }

    // Another program holds the catalog's write lock for longer than SQLite's busy timeout: the commit waits
    // it out, says so in the log, and nothing is lost or out of order.
    void aLockHeldByAnotherProgramIsWaitedOut()
    {
        if (TestCatalogs::onPostgres())
            QSKIP("holds SQLite's file write lock; PostgreSQL writers lock rows, not the catalog");
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("locked"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 20000}, {QStringLiteral("pause_ms"), 20}});
        setBusyTimeout(fx, 100);
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        QString error;
        SyncJob *job = fx.engine->startSync(c, options, &error);
        QVERIFY(job);
        QSignalSpy finished(job, &SyncJob::finished);
        QSignalSpy logs(job, &SyncJob::logMessage);
        QSignalSpy progress(job, &SyncJob::progress);
        QTRY_VERIFY_WITH_TIMEOUT(
            !progress.isEmpty() && progress.last().first().value<EntityProgress>().committed >= 300, 20000);
        QProcess holder;
        QVERIFY(holdCatalog(&holder, fx.catalogPath));
        QTRY_VERIFY_WITH_TIMEOUT(logged(logs, QStringLiteral("locked by another program")), 20000);
        holder.write("\n"); // the other program lets go
        QVERIFY(holder.waitForFinished(10000));
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().value<RunSummary>().status, QStringLiteral("done"));
        QCOMPARE(fx.catalog->recordCount(c.id, QStringLiteral("a")), 20000);
    }

    // The lock outlasts the wait: the entity stops at its last committed page, nothing queued behind the
    // failed page commits (no hole), and the next sync resumes there.
    void aFailedCommitStopsTheEntityWithoutAHole()
    {
        if (TestCatalogs::onPostgres())
            QSKIP("holds SQLite's file write lock; PostgreSQL writers lock rows, not the catalog");
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("hole"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 20000}, {QStringLiteral("pause_ms"), 20}});
        setBusyTimeout(fx, 100);
        fx.engine->writer()->setLockWaitLimitMs(300);
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        QString error;
        SyncJob *job = fx.engine->startSync(c, options, &error);
        QVERIFY(job);
        QSignalSpy finished(job, &SyncJob::finished);
        QSignalSpy progress(job, &SyncJob::progress);
        QTRY_VERIFY_WITH_TIMEOUT(
            !progress.isEmpty() && progress.last().first().value<EntityProgress>().committed >= 300, 20000);
        QProcess holder;
        QVERIFY(holdCatalog(&holder, fx.catalogPath));
        QVERIFY(finished.wait(60000));
        holder.write("\n");
        QVERIFY(holder.waitForFinished(10000));
        const RunSummary summary = finished.first().first().value<RunSummary>();
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("stayed locked by another program")),
                 qPrintable(summary.error));

        const auto state = fx.catalog->entityState(c.id, QStringLiteral("a"));
        const qint64 kept = fx.catalog->recordCount(c.id, QStringLiteral("a"));
        QVERIFY(kept >= 300 && kept < 20000);
        QCOMPARE(state->state.totalProcessed, kept);
        QVERIFY(state->state.hasMore);
        // Exactly the first `kept` records: no page after the failed one slipped in.
        QStringList expected;
        for (qint64 i = 0; i < kept; ++i)
            expected.append(QStringLiteral("a_%1").arg(i));
        expected.sort();
        QCOMPARE(fx.keys(c.id, QStringLiteral("a")), expected);

        fx.engine->writer()->setLockWaitLimitMs(120000);
        forgetAsked();
        QCOMPARE(fx.sync(c, options).status, QStringLiteral("done"));
        QCOMPARE(s_firstOffset.value(QStringLiteral("a")), kept);
        QCOMPARE(fx.catalog->recordCount(c.id, QStringLiteral("a")), 20000);
    }

    void closingTheEngineMidSyncKeepsStateAndRecordsTheRun()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo c =
            fx.addConnection(QStringLiteral("x"), QStringLiteral("test-counting"),
                             QJsonObject{{QStringLiteral("count"), 5000}, {QStringLiteral("pause_ms"), 10}});
        SyncOptions options;
        options.entities = {QStringLiteral("a")};
        QString error;
        SyncJob *job = fx.engine->startSync(c, options, &error);
        QVERIFY(job);
        QSignalSpy progress(job, &SyncJob::progress);
        QTRY_VERIFY_WITH_TIMEOUT(
            !progress.isEmpty() && progress.last().first().value<EntityProgress>().committed >= 300, 20000);
        const qint64 runId = job->runId();
        fx.catalog.reset();
        fx.engine.reset(); // as when the app quits mid-sync

        Catalog catalog(fx.catalogPath);
        QCOMPARE(catalog.run(runId)->status, QStringLiteral("cancelled"));
        const qint64 kept = catalog.recordCount(c.id, QStringLiteral("a"));
        QVERIFY(kept >= 300);
        QCOMPARE(catalog.entityState(c.id, QStringLiteral("a"))->state.totalProcessed, kept);

        // A new engine resumes it to the end.
        QVERIFY(fx.open());
        QList<EntityProgress> seen;
        QCOMPARE(fx.sync(c, options, &seen).status, QStringLiteral("done"));
        QVERIFY(seen.first().resumed);
        QCOMPARE(fx.catalog->recordCount(c.id, QStringLiteral("a")), 5000);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
