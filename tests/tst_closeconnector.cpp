// The Close connector against a fake Close API over real HTTP (QNetworkAccessManager -> 127.0.0.1).
#include "close/closeconnector.h"
#include "fakecloseserver.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

#include <memory>

namespace {

} // namespace

class TestCloseConnector : public QObject
{
    Q_OBJECT

private:
    FakeCloseServer m_server;

    QJsonObject config(const QString &key = QStringLiteral("api_test_mako")) const
    {
        return QJsonObject{{QStringLiteral("api_key"), key},
                           {QStringLiteral("base_url"), m_server.baseUrl().toString()},
                           {QStringLiteral("max_retries"), 6}};
    }

    std::unique_ptr<CloseConnector> connector(const QJsonObject &cfg) const
    {
        auto c = std::make_unique<CloseConnector>();
        c->setup(CloseConnector::staticMetadata(), cfg, CancelToken());
        return c;
    }

    // Fetches chunk after chunk until the entity is done. With `resume`, every chunk runs on a fresh
    // connector from the previous chunk's FetchState after a round trip through its JSON form, as after a
    // restart.
    ChunkRun fetch(const QString &entity, int batchSize = 100, int maxIterations = 10,
                   const QJsonValue &since = {}, bool resume = false)
    {
        return fetchChunks([&] { return connector(config()); }, entity, batchSize, maxIterations, since,
                           resume);
    }

    static int countRequests(const QList<QByteArray> &log, const QByteArray &pathPrefix)
    {
        int n = 0;
        for (const QByteArray &target : log)
            n += target.startsWith(pathPrefix) ? 1 : 0;
        return n;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        m_server.seed(QStringLiteral("leads"), 250);
        m_server.seed(QStringLiteral("contacts"), 37);
        m_server.seed(QStringLiteral("opportunities"), 101);
        m_server.seed(QStringLiteral("activities"), 100);
        m_server.seed(QStringLiteral("tasks"), 45);
        m_server.seed(QStringLiteral("users"), 3);
    }

    void init()
    {
        m_server.clearMalformed();
        m_server.clearRequestLog();
    }

    void metadata()
    {
        const ConnectorMetadata meta = CloseConnector::staticMetadata();
        QCOMPARE(meta.id, QStringLiteral("close"));
        QCOMPARE(meta.entityNames(), FakeCloseServer::entities());
        QCOMPARE(meta.secretFieldNames(), QStringList{QStringLiteral("api_key")});
        QVERIFY(meta.field(QStringLiteral("base_url")));
        QCOMPARE(meta.field(QStringLiteral("base_url"))->defaultValue.toString(),
                 QStringLiteral("https://api.close.com"));
        QCOMPARE(meta.entity(QStringLiteral("opportunities"))->incremental, IncrementalMode::Native);
        QCOMPARE(meta.entity(QStringLiteral("tasks"))->incremental, IncrementalMode::Native);
        QCOMPARE(meta.entity(QStringLiteral("activities"))->incremental, IncrementalMode::CreatedOnly);
        QCOMPARE(meta.entity(QStringLiteral("leads"))->incremental, IncrementalMode::Native);
        QCOMPARE(meta.entity(QStringLiteral("contacts"))->incremental, IncrementalMode::ClientFilter);
        QCOMPARE(meta.entity(QStringLiteral("users"))->incremental, IncrementalMode::None);
        for (const EntityInfo &e : meta.entities)
            QCOMPARE(e.primaryKey, QStringLiteral("id"));

        // The icon is compiled in, an SVG with a viewBox and nothing fetched from outside.
        QFile icon(meta.iconPath);
        QVERIFY2(icon.open(QIODevice::ReadOnly), qPrintable(meta.iconPath));
        const QByteArray svg = icon.readAll();
        QXmlStreamReader xml(svg);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name(), QStringLiteral("svg"));
        QVERIFY(xml.attributes().hasAttribute(QStringLiteral("viewBox")));
        QVERIFY(!svg.contains("href"));

        auto c = connector(QJsonObject{});
        QVERIFY(c->validateConfig().join(QLatin1Char('\n')).contains(QStringLiteral("api_key")));
        QVERIFY(connector(config())->validateConfig().isEmpty());
    }

    void testConnection()
    {
        const TestResult ok = connector(config())->testConnection();
        QVERIFY2(ok.success, qPrintable(ok.message));
        QCOMPARE(ok.message, QStringLiteral("Connected to Close as ada@example.com (Mako Test Org)"));
        QVERIFY(m_server.requestLog().constLast().startsWith("/api/v1/me/"));
    }

    void badCredentials()
    {
        const QString wrong = QStringLiteral("api_wrong_secret_123");
        const TestResult bad = connector(config(wrong))->testConnection();
        QVERIFY(!bad.success);
        QVERIFY2(bad.message.startsWith(QStringLiteral("Invalid API key: ")), qPrintable(bad.message));
        QVERIFY2(bad.message.contains(QStringLiteral("The API key you provided is invalid.")),
                 qPrintable(bad.message));
        QVERIFY(!bad.message.contains(wrong));
        QVERIFY(!bad.message.contains(QString::fromLatin1((wrong + QLatin1Char(':')).toUtf8().toBase64())));

        auto c = connector(config(wrong));
        ResumableFetchOptions options;
        options.entity = QStringLiteral("leads");
        try {
            c->fetchEntityChunk(options);
            QFAIL("a bad key must fail the fetch");
        } catch (const ConnectorError &error) {
            QCOMPARE(error.kind(), ConnectorError::Kind::Auth);
            QVERIFY(error.message().startsWith(QStringLiteral("Invalid API key")));
            QVERIFY(!error.message().contains(wrong));
        }
    }

    void fetchAll_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<int>("pages");
        QTest::newRow("leads") << "leads"
                               << "lead" << 3;
        QTest::newRow("contacts, embedded in the leads") << "contacts"
                                                         << "lead" << 3;
        QTest::newRow("opportunities") << "opportunities"
                                       << "opportunity" << 2;
        QTest::newRow("activities") << "activities"
                                    << "activity" << 1;
        QTest::newRow("tasks of every type") << "tasks"
                                             << "task" << 1;
        QTest::newRow("users") << "users"
                               << "user" << 1;
    }

    void fetchAll()
    {
        QFETCH(QString, entity);
        QFETCH(QString, endpoint);
        QFETCH(int, pages);
        const ChunkRun run = fetch(entity);
        QVERIFY(!run.state.hasMore);
        const QStringList expected = m_server.ids(entity);
        QCOMPARE(run.records.size(), expected.size());
        QCOMPARE(keysOf(run.records), QSet<QString>(expected.begin(), expected.end()));
        for (const Record &r : run.records)
            QCOMPARE(r.json, m_server.recordJson(entity, QString::fromUtf8(r.key))); // bytes as sent
        QCOMPARE(run.state.totalProcessed, qint64(expected.size()));
        const QList<QByteArray> log = m_server.requestLog();
        QCOMPARE(countRequests(log, "/api/v1/" + endpoint.toUtf8() + "/"), pages);
        QCOMPARE(log.size(), pages);
    }

    void pagination_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<int>("pages");
        QTest::newRow("1 per page") << 1 << 101;
        QTest::newRow("7 per page") << 7 << 15;
        QTest::newRow("101 asked, 100 allowed") << 101 << 2;
        QTest::newRow("exactly the total") << 100 << 2;
    }

    void pagination()
    {
        QFETCH(int, batchSize);
        QFETCH(int, pages);
        const ChunkRun run = fetch(QStringLiteral("opportunities"), batchSize, 1000);
        QCOMPARE(run.records.size(), 101);
        QCOMPARE(keysOf(run.records).size(), 101);
        const QList<QByteArray> log = m_server.requestLog();
        QCOMPARE(log.size(), pages);
        const int limit = qMin(batchSize, 100);
        for (int i = 0; i < log.size(); ++i) {
            QVERIFY2(log[i].contains("_skip=" + QByteArray::number(i * limit) + "&"), log[i].constData());
            QVERIFY2(log[i].contains("_limit=" + QByteArray::number(limit)), log[i].constData());
            QVERIFY(log[i].contains("_order_by=date_created"));
        }
    }

    void incremental_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("sinceRecord");
        QTest::addColumn<QByteArray>("serverFilter"); // empty: filtered here
        QTest::newRow("opportunities, native") << "opportunities"
                                               << "date_updated" << 40 << QByteArray("date_updated__gt=");
        QTest::newRow("tasks, native") << "tasks"
                                       << "date_updated" << 20 << QByteArray("date_updated__gt=");
        QTest::newRow("activities, created-only") << "activities"
                                                  << "date_created" << 60 << QByteArray("date_created__gt=");
        QTest::newRow("leads, native through the search query")
            << "leads"
            << "date_updated" << 200 << QByteArray("query=date_updated > \"");
        QTest::newRow("contacts, client filter") << "contacts"
                                                 << "date_updated" << 5 << QByteArray();
    }

    void incremental()
    {
        QFETCH(QString, entity);
        QFETCH(QString, field);
        QFETCH(int, sinceRecord);
        QFETCH(QByteArray, serverFilter);
        const QString since = m_server.dateOf(entity, sinceRecord, field);
        const QStringList expected = m_server.idsAfter(entity, field, since);
        QVERIFY(!expected.isEmpty());
        QVERIFY(expected.size() < m_server.ids(entity).size());

        const ChunkRun run = fetch(entity, 100, 10, since);
        QCOMPARE(keysOf(run.records), QSet<QString>(expected.begin(), expected.end()));
        QCOMPARE(run.records.size(), expected.size());
        // The high-water mark is the newest value seen: the next sync's `since`.
        QString newest;
        for (const QString &id : m_server.ids(entity)) {
            const QJsonObject o = QJsonDocument::fromJson(m_server.recordJson(entity, id)).object();
            newest = qMax(newest, o.value(field).toString());
        }
        QCOMPARE(run.state.highWater.toString(), newest);
        const QByteArray first = m_server.requestLog().constFirst();
        // The offset's '+' travels encoded, or Close would read a space.
        QVERIFY2(!first.contains('+'), first.constData());
        const QByteArray decoded = QByteArray::fromPercentEncoding(first);
        if (serverFilter.isEmpty())
            QVERIFY2(!decoded.contains("date_updated"), decoded.constData());
        else
            QVERIFY2(decoded.contains(serverFilter + since.toUtf8()), decoded.constData());

        // Nothing newer: nothing fetched.
        const ChunkRun none = fetch(entity, 100, 10, newest);
        QCOMPARE(none.records.size(), 0);
        QVERIFY(!none.state.hasMore);
    }

    void usersIgnoreSince()
    {
        const ChunkRun run =
            fetch(QStringLiteral("users"), 100, 10, QStringLiteral("2030-01-01T00:00:00.000000+00:00"));
        QCOMPARE(run.records.size(), 3);
    }

    void rateLimit_data()
    {
        QTest::addColumn<int>("style");
        QTest::addColumn<int>("maxRateLimited");
        QTest::newRow("RateLimit and Retry-After headers") << int(FakeCloseServer::RateLimitStyle::Full) << 1;
        QTest::newRow("Retry-After only") << int(FakeCloseServer::RateLimitStyle::RetryAfterOnly) << 1;
        // Only the body's rate_reset: the client backs off until the window has passed.
        QTest::newRow("rate_reset in the body only") << int(FakeCloseServer::RateLimitStyle::BodyOnly) << 6;
    }

    void rateLimit()
    {
        QFETCH(int, style);
        QFETCH(int, maxRateLimited);
        const int before = m_server.rateLimitedCount();
        m_server.rateLimitFor(1200, FakeCloseServer::RateLimitStyle(style));
        QElapsedTimer clock;
        clock.start();
        const ChunkRun run = fetch(QStringLiteral("contacts"));
        QVERIFY(clock.elapsed() >= 1150);
        QCOMPARE(run.records.size(), 37);
        const int limited = m_server.rateLimitedCount() - before;
        QVERIFY(limited >= 1);
        QVERIFY2(limited <= maxRateLimited, qPrintable(QString::number(limited)));
    }

    void serverErrorsAreRetried()
    {
        m_server.failNext(2, 503);
        const ChunkRun run = fetch(QStringLiteral("users"));
        QCOMPARE(run.records.size(), 3);
    }

    void malformed_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("page");
        QTest::addColumn<QString>("what");
        QTest::newRow("truncated first page")
            << int(FakeCloseServer::Malformed::Truncated) << 0 << "truncated";
        QTest::newRow("no data on page 2")
            << int(FakeCloseServer::Malformed::MissingData) << 1 << "no \"data\" array";
        QTest::newRow("no has_more on page 3")
            << int(FakeCloseServer::Malformed::MissingHasMore) << 2 << "no \"has_more\" flag";
        QTest::newRow("record without id")
            << int(FakeCloseServer::Malformed::RecordWithoutId) << 1 << "record 0 has no \"id\"";
    }

    void malformed()
    {
        QFETCH(int, kind);
        QFETCH(int, page);
        QFETCH(QString, what);
        m_server.setMalformedPage(QStringLiteral("leads"), page, FakeCloseServer::Malformed(kind));
        int delivered = 0;
        auto c = connector(config());
        ResumableFetchOptions options;
        options.entity = QStringLiteral("leads");
        options.maxIterations = 10;
        options.onBatch = [&](RecordBatch &&batch) { delivered += batch.size(); };
        try {
            c->fetchEntityChunk(options);
            QFAIL("a malformed page must fail the chunk");
        } catch (const ConnectorError &error) {
            QCOMPARE(error.kind(), ConnectorError::Kind::Malformed);
            QVERIFY2(error.message().contains(QStringLiteral("/api/v1/lead/?")), qPrintable(error.message()));
            QVERIFY2(error.message().contains(QStringLiteral("_skip=%1").arg(page * 100)),
                     qPrintable(error.message()));
            QVERIFY2(error.message().contains(what), qPrintable(error.message()));
        }
        QCOMPARE(delivered, page * 100); // pages before the bad one were delivered, nothing of it
    }

    void resume_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<int>("maxIterations");
        QTest::newRow("leads, 1 page per chunk") << "leads" << 30 << 1;
        QTest::newRow("leads, 3 pages per chunk") << "leads" << 17 << 3;
        QTest::newRow("tasks, 1 page per chunk") << "tasks" << 10 << 1;
        QTest::newRow("activities, 2 pages per chunk") << "activities" << 9 << 2;
    }

    void resume()
    {
        QFETCH(QString, entity);
        QFETCH(int, batchSize);
        QFETCH(int, maxIterations);
        const ChunkRun run = fetch(entity, batchSize, maxIterations, {}, true);
        const int total = m_server.ids(entity).size();
        QVERIFY(run.chunks > 1);
        QCOMPARE(run.chunks, (total + batchSize * maxIterations - 1) / (batchSize * maxIterations));
        QCOMPARE(run.records.size(), total); // no duplicates
        const QStringList expected = m_server.ids(entity);
        QCOMPARE(keysOf(run.records), QSet<QString>(expected.begin(), expected.end()));
        QCOMPARE(run.state.totalProcessed, qint64(total));
    }

    // Close refuses _skip past a per-endpoint limit; entities listed in date_created order page past it by
    // moving a date_created__gte window, and every record arrives once, even those sharing the instant a
    // window starts at.
    void skipLimitIsPassedByDateWindows_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<int>("count");
        QTest::addColumn<bool>("resume");
        QTest::addColumn<bool>("ties");
        QTest::addColumn<int>("leads"); // seeded first: contacts arrive embedded in them
        QTest::newRow("activities") << "activities" << 4500 << false << false << 250;
        QTest::newRow("activities, resumed chunk by chunk") << "activities" << 4500 << true << false << 250;
        QTest::newRow("opportunities, a tie across a window's start")
            << "opportunities" << 1500 << false << true << 250;
        QTest::newRow("tasks, a tie, resumed") << "tasks" << 1500 << true << true << 250;
        QTest::newRow("leads, through the search query") << "leads" << 1500 << false << false << 0;
        QTest::newRow("leads, a tie, resumed") << "leads" << 1500 << true << true << 0;
        QTest::newRow("contacts of 1,500 leads, resumed") << "contacts" << 3000 << true << false << 1500;
    }

    void skipLimitIsPassedByDateWindows()
    {
        QFETCH(QString, entity);
        QFETCH(int, count);
        QFETCH(bool, resume);
        QFETCH(bool, ties);
        QFETCH(int, leads);
        if (leads > 0)
            m_server.seed(QStringLiteral("leads"), leads);
        m_server.seed(entity, count);
        if (ties) { // records 495-506 share one instant, across where the first window ends
            const QString instant = m_server.dateOf(entity, 495, QStringLiteral("date_created"));
            m_server.setCreated(entity, 496, instant, 506);
        }
        m_server.setSkipCap(1000);
        const ChunkRun run = fetch(entity, 100, 3, {}, resume);
        m_server.setSkipCap(-1);
        const QStringList expected = m_server.ids(entity);
        QVERIFY(!run.state.hasMore);
        QCOMPARE(run.records.size(), expected.size()); // none twice
        QCOMPARE(keysOf(run.records), QSet<QString>(expected.begin(), expected.end()));
        QCOMPARE(run.state.totalProcessed, qint64(expected.size()));
        int windows = 0;
        for (const QByteArray &target : m_server.requestLog()) {
            QVERIFY2(!target.contains("_skip=1000") && !target.contains("_skip=1100"), target.constData());
            const QByteArray decoded = QByteArray::fromPercentEncoding(target);
            windows += (decoded.contains("date_created__gte=") || decoded.contains("date_created >= \"")) &&
                               target.contains("_skip=0&")
                           ? 1
                           : 0;
        }
        const int paged = entity == QLatin1String("contacts") ? leads : count; // contacts page by leads
        QVERIFY2(windows >= paged / 600, qPrintable(QString::number(windows)));
        m_server.seed(QStringLiteral("activities"), 100);
        m_server.seed(QStringLiteral("opportunities"), 101);
        m_server.seed(QStringLiteral("tasks"), 45);
        m_server.seed(QStringLiteral("leads"), 250);
        m_server.seed(QStringLiteral("contacts"), 37);
    }

    // An incremental lead sync past the limit: date_created windows and the date_updated filter in one query.
    void incrementalLeadsPassTheSkipLimit()
    {
        m_server.seed(QStringLiteral("leads"), 1500);
        const QString since = m_server.dateOf(QStringLiteral("leads"), 300, QStringLiteral("date_updated"));
        const QStringList expected =
            m_server.idsAfter(QStringLiteral("leads"), QStringLiteral("date_updated"), since);
        QVERIFY(expected.size() > 1000);
        m_server.setSkipCap(1000);
        const ChunkRun run = fetch(QStringLiteral("leads"), 100, 4, since, true);
        m_server.setSkipCap(-1);
        m_server.seed(QStringLiteral("leads"), 250);
        QVERIFY(!run.state.hasMore);
        QCOMPARE(run.records.size(), expected.size());
        QCOMPARE(keysOf(run.records), QSet<QString>(expected.begin(), expected.end()));
    }

    // More records than the limit share one date_created: no window can start past them, so the entity
    // fails saying so, never "done" short.
    void skipLimitWithinOneInstantFailsSayingWhy()
    {
        m_server.seed(QStringLiteral("leads"), 1500);
        const QString instant = m_server.dateOf(QStringLiteral("leads"), 1, QStringLiteral("date_created"));
        m_server.setCreated(QStringLiteral("leads"), 2, instant, 1500);
        m_server.setSkipCap(1000);
        auto c = connector(config());
        ResumableFetchOptions options;
        options.entity = QStringLiteral("leads");
        options.maxIterations = 100;
        int received = 0;
        options.onBatch = [&](RecordBatch &&batch) { received += int(batch.size()); };
        QString message;
        try {
            c->fetchEntityChunk(options);
        } catch (const ConnectorError &error) {
            message = error.message();
            QCOMPARE(error.kind(), ConnectorError::Kind::Refused);
        }
        m_server.setSkipCap(-1);
        m_server.seed(QStringLiteral("leads"), 250);
        QCOMPARE(received, 1000);
        QVERIFY2(message.contains(QLatin1String("past record 1000")) &&
                     message.contains(QLatin1String("Maximum _skip is 1000")) &&
                     message.contains(QLatin1String("share one date_created")),
                 qPrintable(message));
    }

    void unknownEntity()
    {
        auto c = connector(config());
        ResumableFetchOptions options;
        options.entity = QStringLiteral("invoices");
        QVERIFY_THROWS_EXCEPTION(ConnectorError, c->fetchEntityChunk(options));
    }
    // End to end: connector -> engine -> SQLite, then an incremental run that only brings what changed.
    void syncThroughEngine()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection =
            fx.addConnection(QStringLiteral("Close CRM"), QStringLiteral("close"), config());
        QVERIFY(connection.id > 0);
        SyncOptions options;
        RunSummary summary = fx.sync(connection, options);
        QCOMPARE(summary.status, QStringLiteral("done"));
        for (const QString &entity : FakeCloseServer::entities()) {
            QStringList expected = m_server.ids(entity);
            expected.sort();
            QCOMPARE(fx.keys(connection.id, entity), expected);
        }
        QSqlQuery q(fx.catalog->database());
        QVERIFY(q.exec(QStringLiteral(
            "SELECT data FROM records WHERE entity = 'leads' AND record_key = 'lead_0000000042'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString().toUtf8(),
                 m_server.recordJson(QStringLiteral("leads"), QStringLiteral("lead_0000000042")));
        q.finish(); // an open statement would pin this connection's snapshot

        const QString later = QStringLiteral("2025-06-01T12:00:00.000001+00:00");
        m_server.touch(QStringLiteral("opportunities"), 3, later);
        m_server.touch(QStringLiteral("leads"), 5, later);
        m_server.touch(QStringLiteral("tasks"), 9, later);
        options.mode = SyncMode::Incremental;
        summary = fx.sync(connection, options);
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(summary.processed.value(QStringLiteral("opportunities")), 1);
        QCOMPARE(summary.processed.value(QStringLiteral("leads")), 1);
        QCOMPARE(summary.processed.value(QStringLiteral("tasks")), 1);
        QCOMPARE(summary.processed.value(QStringLiteral("contacts")), 0);
        QCOMPARE(summary.processed.value(QStringLiteral("activities")), 0);
        QCOMPARE(summary.processed.value(QStringLiteral("users")), 3); // no incremental: a full refresh
        QVERIFY(q.exec(QStringLiteral("SELECT json_extract(data, '$.date_updated') FROM records "
                                      "WHERE record_key = 'oppo_0000000003'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), later);
        QCOMPARE(fx.catalog->recordCount(connection.id, QStringLiteral("leads")), 250);
        const auto state = fx.catalog->entityState(connection.id, QStringLiteral("opportunities"));
        QVERIFY(state);
        QCOMPARE(state->nextSince.toString(), later);
        fx.close();
        m_server.seed(QStringLiteral("opportunities"), 101);
        m_server.seed(QStringLiteral("leads"), 250);
        m_server.seed(QStringLiteral("tasks"), 45);
    }
};

QTEST_GUILESS_MAIN(TestCloseConnector)
#include "tst_closeconnector.moc"
