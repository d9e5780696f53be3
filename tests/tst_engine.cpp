// The sync engine's own guarantees, with in-test connectors that need no network: bounded parallel entities,
// a connector that stops making progress, a full disk, and an engine closed mid-sync.
#include "testutil.h"

#include <QSqlError>

#include <atomic>

namespace {

std::atomic<int> s_running{0};
std::atomic<int> s_maxRunning{0};

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
        m.config = {count, pause};
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
        try {
            while (state.hasMore && state.iterationsInChunk < options.maxIterations) {
                if (configInt(QStringLiteral("pause_ms")) > 0)
                    sleep(int(configInt(QStringLiteral("pause_ms"))));
                RecordBatch batch;
                for (qint64 i = state.offset; i < qMin(count, state.offset + options.batchSize); ++i) {
                    const QByteArray key = options.entity.toUtf8() + '_' + QByteArray::number(i);
                    batch.append({key, "{\"id\":\"" + key + "\",\"i\":" + QByteArray::number(i) + "}"});
                }
                state.offset += batch.size();
                state.totalProcessed += batch.size();
                state.total = count;
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
        options.pagesPerChunk = 2;
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
        options.pagesPerChunk = 1;
        const RunSummary summary = fx.sync(c, options);
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("disk holding the catalog is full")),
                 qPrintable(summary.error));
        const qint64 kept = fx.catalog->recordCount(c.id, QStringLiteral("a"));
        QVERIFY(kept > 0 && kept < 200000);
        const auto state = fx.catalog->entityState(c.id, QStringLiteral("a"));
        QVERIFY(state);
        QCOMPARE(state->state.totalProcessed, kept); // the state matches the data exactly (I1)
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
        options.pagesPerChunk = 1;
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
