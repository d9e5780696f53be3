// The PostHog connector against a fake PostHog API over real HTTP (QNetworkAccessManager -> 127.0.0.1).
#include "fakeposthogserver.h"
#include "posthog/posthogconnector.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

#include <memory>

namespace {

const QString kKey = QStringLiteral("phx_test_mako");

} // namespace

class TestPostHogConnector : public QObject
{
    Q_OBJECT

private:
    FakePostHogServer m_server;

    QJsonObject config(const QString &key = kKey, const QString &project = QStringLiteral("4242")) const
    {
        return QJsonObject{{QStringLiteral("api_key"), key},
                           {QStringLiteral("project_id"), project},
                           {QStringLiteral("region"), QStringLiteral("self-hosted")},
                           {QStringLiteral("base_url"), m_server.baseUrl().toString()},
                           {QStringLiteral("max_retries"), 6}};
    }

    static std::unique_ptr<PostHogConnector> connector(const QJsonObject &cfg)
    {
        auto c = std::make_unique<PostHogConnector>();
        c->setup(PostHogConnector::staticMetadata(), cfg, CancelToken());
        return c;
    }

    ChunkRun fetch(const QString &entity, int batchSize = 100, int maxIterations = 10,
                   const QJsonValue &since = {}, bool resume = false) const
    {
        return fetchChunks([&] { return connector(config()); }, entity, batchSize, maxIterations, since,
                           resume);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        m_server.seed(QStringLiteral("persons"), 230);
        m_server.seed(QStringLiteral("cohorts"), 12);
        m_server.seed(QStringLiteral("feature_flags"), 101);
        m_server.seed(QStringLiteral("annotations"), 3);
        m_server.seed(QStringLiteral("events"), 420);
    }

    void init()
    {
        m_server.clearMalformed();
        m_server.clearRequestLog();
        m_server.setNextBase(QUrl());
    }

    void metadata()
    {
        const ConnectorMetadata meta = PostHogConnector::staticMetadata();
        QCOMPARE(meta.id, QStringLiteral("posthog"));
        QCOMPARE(meta.entityNames(), FakePostHogServer::entities());
        QCOMPARE(meta.secretFieldNames(), QStringList{QStringLiteral("api_key")});
        QCOMPARE(meta.field(QStringLiteral("base_url"))->defaultValue.toString(),
                 QStringLiteral("https://us.posthog.com"));
        QCOMPARE(meta.field(QStringLiteral("region"))->options,
                 (QStringList{QStringLiteral("us"), QStringLiteral("eu"), QStringLiteral("self-hosted")}));
        QCOMPARE(meta.entity(QStringLiteral("events"))->incremental, IncrementalMode::CreatedOnly);
        QCOMPARE(meta.entity(QStringLiteral("events"))->primaryKey, QStringLiteral("uuid"));
        QCOMPARE(meta.entity(QStringLiteral("events"))->cursorField, QStringLiteral("timestamp"));
        QCOMPARE(meta.entity(QStringLiteral("persons"))->incremental, IncrementalMode::None);

        QFile icon(meta.iconPath);
        QVERIFY2(icon.open(QIODevice::ReadOnly), qPrintable(meta.iconPath));
        const QByteArray svg = icon.readAll();
        QXmlStreamReader xml(svg);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name(), QStringLiteral("svg"));
        QVERIFY(xml.attributes().hasAttribute(QStringLiteral("viewBox")));
        QVERIFY(!svg.contains("href"));
    }

    void hosts_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("baseUrl"); // empty: not set
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("valid");
        QTest::newRow("US cloud") << "us"
                                  << ""
                                  << "https://us.posthog.com" << true;
        QTest::newRow("EU cloud") << "eu"
                                  << ""
                                  << "https://eu.posthog.com" << true;
        QTest::newRow("EU, base URL overridden") << "eu"
                                                 << "http://127.0.0.1:9"
                                                 << "http://127.0.0.1:9" << true;
        QTest::newRow("self-hosted") << "self-hosted"
                                     << "https://ph.example.org/"
                                     << "https://ph.example.org" << true;
        QTest::newRow("self-hosted without its address") << "self-hosted"
                                                         << ""
                                                         << "https://us.posthog.com" << false;
    }

    void hosts()
    {
        QFETCH(QString, region);
        QFETCH(QString, baseUrl);
        QFETCH(QString, expected);
        QFETCH(bool, valid);
        QJsonObject cfg{{QStringLiteral("api_key"), kKey},
                        {QStringLiteral("project_id"), QStringLiteral("1")},
                        {QStringLiteral("region"), region}};
        if (!baseUrl.isEmpty())
            cfg.insert(QStringLiteral("base_url"), baseUrl);
        auto c = connector(cfg);
        QCOMPARE(c->apiBase(), QUrl(expected));
        QCOMPARE(c->validateConfig().isEmpty(), valid);
        cfg.insert(QStringLiteral("project_id"), QStringLiteral("my-project"));
        QVERIFY(
            connector(cfg)->validateConfig().join(QLatin1Char('\n')).contains(QStringLiteral("project_id")));
    }

    void testConnection()
    {
        const TestResult ok = connector(config())->testConnection();
        QVERIFY2(ok.success, qPrintable(ok.message));
        QCOMPARE(ok.message,
                 QStringLiteral("Connected to PostHog project \"Mako Demo\" (4242) at 127.0.0.1"));

        const TestResult wrongProject = connector(config(kKey, QStringLiteral("99")))->testConnection();
        QVERIFY(!wrongProject.success);
        QVERIFY2(wrongProject.message.contains(QStringLiteral("project ID")),
                 qPrintable(wrongProject.message));
    }

    void badCredentials()
    {
        const QString wrong = QStringLiteral("phx_wrong_key_789");
        const TestResult bad = connector(config(wrong))->testConnection();
        QVERIFY(!bad.success);
        QVERIFY2(bad.message.startsWith(QStringLiteral("Invalid personal API key: ")),
                 qPrintable(bad.message));
        QVERIFY(bad.message.contains(
            QStringLiteral("Personal API key found in request Authorization header is invalid.")));
        QVERIFY(!bad.message.contains(wrong));

        for (const QString &entity : {QStringLiteral("persons"), QStringLiteral("events")}) {
            auto c = connector(config(wrong));
            ResumableFetchOptions options;
            options.entity = entity;
            try {
                c->fetchEntityChunk(options);
                QFAIL("a bad key must fail the fetch");
            } catch (const ConnectorError &error) {
                QCOMPARE(error.kind(), ConnectorError::Kind::Auth);
                QVERIFY(!error.message().contains(wrong));
            }
        }
    }

    void fetchAll_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<int>("requests");
        QTest::newRow("persons") << "persons" << 3;
        QTest::newRow("cohorts") << "cohorts" << 1;
        QTest::newRow("feature_flags") << "feature_flags" << 2;
        QTest::newRow("annotations") << "annotations" << 1;
        QTest::newRow("events") << "events" << 5;
    }

    void fetchAll()
    {
        QFETCH(QString, entity);
        QFETCH(int, requests);
        const ChunkRun run = fetch(entity);
        QVERIFY(!run.state.hasMore);
        const QStringList expected = m_server.keys(entity);
        QCOMPARE(run.records.size(), expected.size()); // no duplicates
        QCOMPARE(keysOf(run.records), toSet(expected));
        for (const Record &r : run.records) {
            QCOMPARE(r.json, m_server.recordJson(entity, QString::fromUtf8(r.key)));
            QVERIFY(QJsonDocument::fromJson(r.json).isObject());
        }
        QCOMPARE(m_server.requestLog().size(), requests);
        if (entity == QLatin1String("events")) {
            // Ordered by time, so the last record carries the newest timestamp: the next sync's `since`.
            QCOMPARE(run.state.highWater.toString(),
                     m_server.eventTimestamp(m_server.keys(entity).constLast()));
        } else if (entity != QLatin1String("persons")) {
            QCOMPARE(run.state.total, qint64(expected.size()));
        }
    }

    void pagination_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<int>("requests");
        QTest::newRow("feature flags, 1 per page") << "feature_flags" << 1 << 101;
        QTest::newRow("feature flags, 50 per page") << "feature_flags" << 50 << 3;
        QTest::newRow("events, 7 per query") << "events" << 7 << 61; // the 61st is empty
        QTest::newRow("events, 1000 per query") << "events" << 1000 << 1;
    }

    void pagination()
    {
        QFETCH(QString, entity);
        QFETCH(int, batchSize);
        QFETCH(int, requests);
        const ChunkRun run = fetch(entity, batchSize, 1000);
        QCOMPARE(keysOf(run.records), toSet(m_server.keys(entity)));
        QCOMPARE(run.records.size(), m_server.keys(entity).size());
        QCOMPARE(m_server.requestLog().size(), requests);
        if (entity == QLatin1String("events")) {
            const QList<QString> queries = m_server.queries().mid(m_server.queries().size() - requests);
            for (int i = 0; i < queries.size(); ++i)
                QVERIFY2(queries[i].endsWith(
                             QStringLiteral("LIMIT %1 OFFSET %2").arg(batchSize).arg(i * batchSize)),
                         qPrintable(queries[i]));
        }
    }

    void nextOnAnotherHost()
    {
        // Behind a proxy PostHog may link to its internal address; the key stays on the configured host.
        m_server.setNextBase(QUrl(QStringLiteral("http://posthog-internal:8000")));
        const ChunkRun run = fetch(QStringLiteral("persons"));
        QCOMPARE(run.records.size(), 230);
        QCOMPARE(m_server.requestLog().size(), 3);
    }

    void incremental_data()
    {
        QTest::addColumn<int>("sinceIndex");
        QTest::newRow("after the first event") << 0;
        QTest::newRow("in a run of equal timestamps") << 8; // events 9 and 10 share a timestamp
        QTest::newRow("near the end") << 400;
    }

    void incremental()
    {
        QFETCH(int, sinceIndex);
        const QStringList all = m_server.keys(QStringLiteral("events"));
        const QString since = m_server.eventTimestamp(all.at(sinceIndex));
        const QStringList expected = m_server.keys(QStringLiteral("events"), since);
        QVERIFY(!expected.isEmpty());
        const ChunkRun run = fetch(QStringLiteral("events"), 100, 100, since);
        QCOMPARE(run.records.size(), expected.size());
        QCOMPARE(keysOf(run.records), toSet(expected));
        QVERIFY(m_server.queries().constLast().contains(
            QStringLiteral("timestamp > toDateTime64('%1', 6, 'UTC')")
                .arg(QDateTime::fromString(since, Qt::ISODateWithMs)
                         .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")))));

        const ChunkRun none =
            fetch(QStringLiteral("events"), 100, 100, m_server.eventTimestamp(all.constLast()));
        QCOMPARE(none.records.size(), 0);
        QVERIFY(!none.state.hasMore);
    }

    void rateLimit()
    {
        const int before = m_server.rateLimitedCount();
        m_server.rateLimitFor(800);
        QElapsedTimer clock;
        clock.start();
        const ChunkRun run = fetch(QStringLiteral("cohorts"));
        QCOMPARE(run.records.size(), 12);
        QCOMPARE(m_server.rateLimitedCount() - before, 1); // waited Retry-After, then went on
        QVERIFY(clock.elapsed() >= 800);
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<int>("page");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("what");
        QTest::newRow("truncated persons page")
            << "persons" << 1 << int(FakePostHogServer::Malformed::Truncated)
            << "/api/projects/4242/persons/?limit=100&offset=100"
            << "truncated";
        QTest::newRow("flags page without results")
            << "feature_flags" << 0 << int(FakePostHogServer::Malformed::MissingResults)
            << "/api/projects/4242/feature_flags/"
            << "no \"results\" array";
        QTest::newRow("person without id")
            << "persons" << 2 << int(FakePostHogServer::Malformed::RecordWithoutKey) << "offset=200"
            << "record 0 has no \"id\"";
        QTest::newRow("truncated events")
            << "events" << 1 << int(FakePostHogServer::Malformed::Truncated) << "/api/projects/4242/query/"
            << "truncated";
        QTest::newRow("events without results")
            << "events" << 0 << int(FakePostHogServer::Malformed::MissingResults)
            << "/api/projects/4242/query/"
            << "no \"results\" array";
        QTest::newRow("short event row")
            << "events" << 2 << int(FakePostHogServer::Malformed::RecordWithoutKey)
            << "/api/projects/4242/query/"
            << "row 0 does not have 8 columns";
    }

    void malformed()
    {
        QFETCH(QString, entity);
        QFETCH(int, page);
        QFETCH(int, kind);
        QFETCH(QString, url);
        QFETCH(QString, what);
        m_server.setMalformedPage(entity, page, FakePostHogServer::Malformed(kind));
        auto c = connector(config());
        ResumableFetchOptions options;
        options.entity = entity;
        options.maxIterations = 100;
        int delivered = 0;
        options.onBatch = [&](RecordBatch &&batch) { delivered += batch.size(); };
        try {
            c->fetchEntityChunk(options);
            QFAIL("a malformed page must fail the chunk");
        } catch (const ConnectorError &error) {
            QCOMPARE(error.kind(), ConnectorError::Kind::Malformed);
            QVERIFY2(error.message().contains(url), qPrintable(error.message()));
            QVERIFY2(error.message().contains(what), qPrintable(error.message()));
        }
        QCOMPARE(delivered, page * 100);
    }

    void resume_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<int>("maxIterations");
        QTest::newRow("persons, 1 page per chunk") << "persons" << 40 << 1;
        QTest::newRow("feature flags, 2 pages per chunk") << "feature_flags" << 9 << 2;
        QTest::newRow("events, 1 query per chunk") << "events" << 50 << 1;
        QTest::newRow("events, 3 queries per chunk") << "events" << 13 << 3;
    }

    void resume()
    {
        QFETCH(QString, entity);
        QFETCH(int, batchSize);
        QFETCH(int, maxIterations);
        const qsizetype queriesBefore = m_server.queries().size();
        const ChunkRun run = fetch(entity, batchSize, maxIterations, {}, true);
        const QStringList expected = m_server.keys(entity);
        QVERIFY(run.chunks > 1);
        QCOMPARE(run.records.size(), expected.size()); // no duplicates
        QCOMPARE(keysOf(run.records), toSet(expected));
        QCOMPARE(run.state.totalProcessed, qint64(expected.size()));
        if (entity == QLatin1String("events")) {
            // Every chunk asked for the same window.
            const QList<QString> queries = m_server.queries();
            const QString window = queries.constLast().section(QStringLiteral(" ORDER BY"), 0, 0);
            QVERIFY(queries.size() - queriesBefore >= run.chunks);
            for (qsizetype i = queriesBefore; i < queries.size(); ++i)
                QCOMPARE(queries[i].section(QStringLiteral(" ORDER BY"), 0, 0), window);
        }
    }
    // End to end: connector -> engine -> SQLite; an incremental run brings only the new events.
    void syncThroughEngine()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection =
            fx.addConnection(QStringLiteral("PostHog"), QStringLiteral("posthog"), config());
        QVERIFY(connection.id > 0);
        SyncOptions options;
        RunSummary summary = fx.sync(connection, options);
        QCOMPARE(summary.status, QStringLiteral("done"));
        for (const QString &entity : FakePostHogServer::entities()) {
            QStringList expected = m_server.keys(entity);
            expected.sort();
            QCOMPARE(fx.keys(connection.id, entity), expected);
        }
        // Events are stored as objects, so the per-entity view has their columns.
        QSqlQuery q(fx.catalog->database());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT json_extract(data, '$.event') FROM records WHERE entity = 'events' LIMIT 1")));
        QVERIFY(q.next());
        QVERIFY(!q.value(0).toString().isEmpty());
        q.finish(); // an open statement would pin this connection's snapshot

        m_server.addEvents(25);
        options.mode = SyncMode::Incremental;
        summary = fx.sync(connection, options);
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(summary.processed.value(QStringLiteral("events")), 25);
        QStringList expected = m_server.keys(QStringLiteral("events"));
        expected.sort();
        QCOMPARE(fx.keys(connection.id, QStringLiteral("events")), expected);
        fx.close();
        m_server.seed(QStringLiteral("events"), 420);
    }
};

QTEST_GUILESS_MAIN(TestPostHogConnector)
#include "tst_posthogconnector.moc"
