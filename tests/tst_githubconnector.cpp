// The GitHub connector against a fake GitHub REST API over real HTTP (QNetworkAccessManager -> 127.0.0.1).
#include "fakegithubserver.h"
#include "github/githubconnector.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

#include <memory>

namespace {

const QString kToken = QStringLiteral("ghp_test_mako");

} // namespace

class TestGitHubConnector : public QObject
{
    Q_OBJECT

private:
    FakeGitHubServer m_server;

    static QJsonObject config(const FakeGitHubServer &server, const QStringList &repos = {},
                              const QString &token = kToken, const QString &org = QStringLiteral("mako-org"),
                              const QString &prefix = {})
    {
        QJsonObject cfg{{QStringLiteral("access_token"), token},
                        {QStringLiteral("base_url"), server.baseUrl().toString() + prefix},
                        {QStringLiteral("max_retries"), 6}};
        if (!org.isEmpty())
            cfg.insert(QStringLiteral("organization"), org);
        if (!repos.isEmpty())
            cfg.insert(QStringLiteral("repositories"), QJsonArray::fromStringList(repos));
        return cfg;
    }

    static std::unique_ptr<GitHubConnector> connector(const QJsonObject &cfg)
    {
        auto c = std::make_unique<GitHubConnector>();
        c->setup(GitHubConnector::staticMetadata(), cfg, CancelToken());
        return c;
    }

    // Chunk after chunk until done; with `resume` each chunk runs on a fresh connector from the JSON form of
    // the previous chunk's FetchState.
    static ChunkRun fetch(const QJsonObject &cfg, const QString &entity, int batchSize = 100,
                          int maxIterations = 10, const QJsonValue &since = {}, bool resume = false)
    {
        return fetchChunks([&] { return connector(cfg); }, entity, batchSize, maxIterations, since, resume);
    }

    QString newest(const QString &entity, const QStringList &keys) const
    {
        QString max;
        for (const QString &key : keys)
            max = qMax(max, m_server.cursorOf(entity, key));
        return max;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        m_server.addRepository(QStringLiteral("alpha"), 45, 12, 130, 3);
        m_server.addRepository(QStringLiteral("beta"), 0, 0, 0, 0); // empty: commits answer 409
        m_server.addRepository(QStringLiteral("gamma"), 7, 105, 5, 0);
        m_server.addRepository(QStringLiteral("delta"), 5, 2, 3, 1);
        m_server.setIssuesDisabled(QStringLiteral("delta"), true); // issues answer 410
    }

    void init()
    {
        m_server.clearMalformed();
        m_server.clearRequestLog();
    }

    void metadata()
    {
        const ConnectorMetadata meta = GitHubConnector::staticMetadata();
        QCOMPARE(meta.id, QStringLiteral("github"));
        QCOMPARE(meta.entityNames(), (QStringList{QStringLiteral("repositories"), QStringLiteral("issues"),
                                                  QStringLiteral("pull_requests"), QStringLiteral("commits"),
                                                  QStringLiteral("releases")}));
        QCOMPARE(meta.secretFieldNames(), QStringList{QStringLiteral("access_token")});
        QCOMPARE(meta.field(QStringLiteral("base_url"))->defaultValue.toString(),
                 QStringLiteral("https://api.github.com"));
        QCOMPARE(meta.entity(QStringLiteral("issues"))->incremental, IncrementalMode::Native);
        QCOMPARE(meta.entity(QStringLiteral("issues"))->cursorField, QStringLiteral("updated_at"));
        QCOMPARE(meta.entity(QStringLiteral("pull_requests"))->incremental, IncrementalMode::ClientFilter);
        QCOMPARE(meta.entity(QStringLiteral("commits"))->incremental, IncrementalMode::CreatedOnly);
        QCOMPARE(meta.entity(QStringLiteral("commits"))->primaryKey, QStringLiteral("sha"));
        QCOMPARE(meta.entity(QStringLiteral("releases"))->incremental, IncrementalMode::None);

        QFile icon(meta.iconPath);
        QVERIFY2(icon.open(QIODevice::ReadOnly), qPrintable(meta.iconPath));
        const QByteArray svg = icon.readAll();
        QXmlStreamReader xml(svg);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name(), QStringLiteral("svg"));
        QVERIFY(xml.attributes().hasAttribute(QStringLiteral("viewBox")));
        QVERIFY(!svg.contains("href"));

        QVERIFY(connector(config(m_server))->validateConfig().isEmpty());
        QVERIFY(connector(config(m_server, {QStringLiteral("mako-org/alpha")}, kToken, QString()))
                    ->validateConfig()
                    .isEmpty());
        const QStringList neither = connector(config(m_server, {}, kToken, QString()))->validateConfig();
        QVERIFY2(neither.join(QLatin1Char('\n')).contains(QStringLiteral("organization")),
                 qPrintable(neither.join(QLatin1Char('\n'))));
        const QStringList badRepo = connector(config(m_server, {QStringLiteral("alpha")}))->validateConfig();
        QVERIFY(badRepo.join(QLatin1Char('\n')).contains(QStringLiteral("owner/repo")));
    }

    void testConnection()
    {
        TestResult org = connector(config(m_server))->testConnection();
        QVERIFY2(org.success, qPrintable(org.message));
        QCOMPARE(org.message, QStringLiteral("Connected to GitHub organisation mako-org"));
        QVERIFY(org.details.contains(QStringLiteral("requests left")));

        TestResult repos =
            connector(config(m_server, {QStringLiteral("mako-org/alpha"), QStringLiteral("mako-org/gamma")}))
                ->testConnection();
        QVERIFY2(repos.success, qPrintable(repos.message));
        QCOMPARE(repos.message,
                 QStringLiteral("Connected to GitHub: mako-org/alpha and 1 more repositories"));

        TestResult missing = connector(config(m_server, {QStringLiteral("mako-org/nope")}))->testConnection();
        QVERIFY(!missing.success);
        QVERIFY2(missing.message.contains(QStringLiteral("mako-org/nope")) &&
                     missing.message.contains(QStringLiteral("Not found")),
                 qPrintable(missing.message));
    }

    void badCredentials()
    {
        const QString wrong = QStringLiteral("ghp_wrong_token_456");
        const TestResult bad = connector(config(m_server, {}, wrong))->testConnection();
        QVERIFY(!bad.success);
        QVERIFY2(bad.message.startsWith(QStringLiteral("Invalid GitHub token: ")), qPrintable(bad.message));
        QVERIFY(bad.message.contains(QStringLiteral("Bad credentials")));
        QVERIFY(!bad.message.contains(wrong));

        auto c = connector(config(m_server, {}, wrong));
        ResumableFetchOptions options;
        options.entity = QStringLiteral("issues");
        try {
            c->fetchEntityChunk(options);
            QFAIL("a bad token must fail the fetch");
        } catch (const ConnectorError &error) {
            QCOMPARE(error.kind(), ConnectorError::Kind::Auth);
            QVERIFY(error.message().contains(QStringLiteral("Bad credentials")));
            QVERIFY(!error.message().contains(wrong));
        }
    }

    void fetchAll_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QStringList>("repos"); // configured; empty: every repository of the organisation
        const QStringList some{QStringLiteral("mako-org/gamma"), QStringLiteral("mako-org/alpha")};
        for (const char *entity : {"repositories", "issues", "pull_requests", "commits", "releases"}) {
            QTest::addRow("%s of the organisation", entity) << QString::fromLatin1(entity) << QStringList();
            QTest::addRow("%s of two repositories", entity) << QString::fromLatin1(entity) << some;
        }
    }

    void fetchAll()
    {
        QFETCH(QString, entity);
        QFETCH(QStringList, repos);
        const ChunkRun run = fetch(config(m_server, repos), entity);
        QVERIFY(!run.state.hasMore);
        QStringList expected;
        if (repos.isEmpty()) {
            expected = m_server.keys(entity);
        } else {
            for (const QString &repo : repos)
                expected += m_server.keys(entity, repo);
        }
        QVERIFY(!expected.isEmpty());
        QCOMPARE(run.records.size(), expected.size()); // no duplicates
        QCOMPARE(keysOf(run.records), toSet(expected));
        for (const Record &r : run.records)
            QCOMPARE(r.json, m_server.recordJson(entity, QString::fromUtf8(r.key))); // bytes as sent
        QCOMPARE(run.state.totalProcessed, qint64(expected.size()));
        if (repos.isEmpty() && entity == QLatin1String("commits"))
            QVERIFY(run.log.join(QLatin1Char('\n'))
                        .contains(QStringLiteral("mako-org/beta: skipped (Git Repository is empty.)")));
        if (repos.isEmpty() && entity == QLatin1String("issues"))
            QVERIFY(run.log.join(QLatin1Char('\n'))
                        .contains(QStringLiteral("mako-org/delta: skipped (Issues are disabled")));
    }

    void pagination_data()
    {
        QTest::addColumn<int>("perPage");
        QTest::addColumn<int>("pages");
        // alpha lists 45 issues and 12 pull requests on its issues endpoint.
        QTest::newRow("1 per page") << 1 << 57;
        QTest::newRow("10 per page") << 10 << 6;
        QTest::newRow("57 per page") << 57 << 1;
        QTest::newRow("200 asked, 100 allowed") << 200 << 1;
    }

    void pagination()
    {
        QFETCH(int, perPage);
        QFETCH(int, pages);
        const ChunkRun run = fetch(config(m_server, {QStringLiteral("mako-org/alpha")}),
                                   QStringLiteral("issues"), perPage, 1000);
        QCOMPARE(run.records.size(), 45);
        QCOMPARE(keysOf(run.records),
                 toSet(m_server.keys(QStringLiteral("issues"), QStringLiteral("alpha"))));
        const QList<QByteArray> log = m_server.requestLog();
        QCOMPARE(log.size(), pages);
        for (int i = 0; i < log.size(); ++i) {
            QVERIFY2(log[i].startsWith("/repos/mako-org/alpha/issues?"), log[i].constData());
            QVERIFY(log[i].contains("state=all"));
            QVERIFY(log[i].contains("sort=updated"));
            QVERIFY(log[i].contains("direction=desc"));
            QVERIFY(log[i].contains("per_page=" + QByteArray::number(qMin(perPage, 100))));
            if (i > 0) // followed from the Link header
                QVERIFY2(log[i].contains("page=" + QByteArray::number(i + 1)), log[i].constData());
        }
    }

    void incremental_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QString>("since");
        QTest::addColumn<QByteArray>("serverFilter"); // empty: filtered here
        QTest::newRow("issues, native") << "issues"
                                        << "2024-02-12T00:00:00Z" << QByteArray("since=2024-02-12T00:00:00Z");
        QTest::newRow("pull requests, newest first until older") << "pull_requests"
                                                                 << "2024-02-14T00:00:00Z" << QByteArray();
        QTest::newRow("commits, created-only")
            << "commits"
            << "2024-01-15T00:00:00Z" << QByteArray("since=2024-01-15T00:00:00Z");
    }

    void incremental()
    {
        QFETCH(QString, entity);
        QFETCH(QString, since);
        QFETCH(QByteArray, serverFilter);
        const QStringList expected = m_server.keys(entity, {}, since);
        QVERIFY(!expected.isEmpty());
        QVERIFY(expected.size() < m_server.keys(entity).size());

        const ChunkRun full = fetch(config(m_server), entity, 10, 1000);
        const int fullRequests = m_server.requestLog().size();
        m_server.clearRequestLog();
        const ChunkRun run = fetch(config(m_server), entity, 10, 1000, since);
        QCOMPARE(run.records.size(), expected.size());
        QCOMPARE(keysOf(run.records), toSet(expected));
        const QList<QByteArray> log = m_server.requestLog();
        QVERIFY(log.size() < fullRequests); // fewer pages than a full refresh

        // The high-water mark is the newest value seen (pull requests appear on the issues list too).
        QStringList all = m_server.keys(entity);
        QString max = newest(entity, all);
        if (entity == QLatin1String("issues"))
            max = qMax(
                max, newest(QStringLiteral("pull_requests"), m_server.keys(QStringLiteral("pull_requests"))));
        QCOMPARE(full.state.highWater.toString(), max);
        QCOMPARE(run.state.highWater.toString(), max);

        for (const QByteArray &target : log) {
            if (!target.startsWith("/repos/"))
                continue;
            if (serverFilter.isEmpty())
                QVERIFY(!target.contains("since="));
            else
                QVERIFY2(target.contains(serverFilter), target.constData());
        }

        // Nothing newer than the high-water mark: nothing fetched (issues may repeat the newest: since is
        // inclusive on GitHub).
        const ChunkRun none =
            fetch(config(m_server), entity, 100, 1000, QStringLiteral("2030-01-01T00:00:00Z"));
        QCOMPARE(none.records.size(), 0);
    }

    void rateLimit_data()
    {
        QTest::addColumn<bool>("primary");
        QTest::addColumn<int>("status");
        QTest::newRow("primary limit spent, 403") << true << 403;
        QTest::newRow("primary limit spent, 429") << true << 429;
        QTest::newRow("secondary limit, 403 with Retry-After") << false << 403;
        QTest::newRow("secondary limit, 429 with Retry-After") << false << 429;
    }

    void rateLimit()
    {
        QFETCH(bool, primary);
        QFETCH(int, status);
        const int before = m_server.rateLimitedCount();
        if (primary)
            m_server.setPrimaryRateLimit(2, 1, status);
        else
            m_server.secondaryRateLimitFor(900, status);
        QElapsedTimer clock;
        clock.start();
        const ChunkRun run =
            fetch(config(m_server, {QStringLiteral("mako-org/alpha")}), QStringLiteral("commits"), 20);
        QCOMPARE(run.records.size(), 130);
        QCOMPARE(keysOf(run.records),
                 toSet(m_server.keys(QStringLiteral("commits"), QStringLiteral("alpha"))));
        // The client waited for the reset (or Retry-After) instead of hammering or failing.
        QCOMPARE(m_server.rateLimitedCount() - before, 1);
        QVERIFY(clock.elapsed() >= (primary ? 500 : 900));
    }

    void enterprise()
    {
        FakeGitHubServer ghe;
        ghe.setPathPrefix(QStringLiteral("/api/v3"));
        QVERIFY(ghe.start());
        ghe.addRepository(QStringLiteral("tools"), 130, 3, 2, 1);
        const QJsonObject cfg =
            config(ghe, {}, kToken, QStringLiteral("mako-org"), QStringLiteral("/api/v3"));
        QVERIFY(connector(cfg)->testConnection().success);
        const ChunkRun run = fetch(cfg, QStringLiteral("issues"));
        QCOMPARE(keysOf(run.records), toSet(ghe.keys(QStringLiteral("issues"))));
        QCOMPARE(run.records.size(), 130);
        const QList<QByteArray> log = ghe.requestLog();
        QVERIFY(log.size() >= 3); // org probe, repository listing, two issue pages
        for (const QByteArray &target : log)
            QVERIFY2(target.startsWith("/api/v3/"), target.constData());
    }

    void userOwner()
    {
        FakeGitHubServer user;
        user.setOwner(QStringLiteral("octo"), false);
        QVERIFY(user.start());
        user.addRepository(QStringLiteral("dotfiles"), 2, 1, 4, 0);
        user.addRepository(QStringLiteral("blog"), 1, 0, 2, 1);
        const QJsonObject cfg = config(user, {}, kToken, QStringLiteral("octo"));
        const TestResult test = connector(cfg)->testConnection();
        QVERIFY2(test.success, qPrintable(test.message));
        QCOMPARE(test.message, QStringLiteral("Connected to GitHub user octo"));
        const ChunkRun repos = fetch(cfg, QStringLiteral("repositories"));
        QCOMPARE(keysOf(repos.records), toSet(user.keys(QStringLiteral("repositories"))));
        const ChunkRun commits = fetch(cfg, QStringLiteral("commits"));
        QCOMPARE(keysOf(commits.records), toSet(user.keys(QStringLiteral("commits"))));
        QCOMPARE(commits.records.size(), 6);
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<int>("page");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("what");
        QTest::newRow("truncated issues page")
            << "issues" << 2 << int(FakeGitHubServer::Malformed::Truncated) << "truncated";
        QTest::newRow("object instead of commits")
            << "commits" << 1 << int(FakeGitHubServer::Malformed::NotAnArray)
            << "expected an array of commits";
        QTest::newRow("commit without sha")
            << "commits" << 2 << int(FakeGitHubServer::Malformed::RecordWithoutKey)
            << "record 0 has no \"sha\"";
        QTest::newRow("release without id")
            << "releases" << 1 << int(FakeGitHubServer::Malformed::RecordWithoutKey)
            << "record 0 has no \"id\"";
    }

    void malformed()
    {
        QFETCH(QString, entity);
        QFETCH(int, page);
        QFETCH(int, kind);
        QFETCH(QString, what);
        m_server.setMalformedPage(entity, QStringLiteral("alpha"), page, FakeGitHubServer::Malformed(kind));
        auto c = connector(config(m_server, {QStringLiteral("mako-org/alpha")}));
        ResumableFetchOptions options;
        options.entity = entity;
        options.batchSize = 20;
        options.maxIterations = 100;
        int delivered = 0;
        options.onBatch = [&](RecordBatch &&batch) { delivered += batch.size(); };
        try {
            c->fetchEntityChunk(options);
            QFAIL("a malformed page must fail the chunk");
        } catch (const ConnectorError &error) {
            QCOMPARE(error.kind(), ConnectorError::Kind::Malformed);
            QVERIFY2(error.message().contains(QStringLiteral("/repos/mako-org/alpha/")),
                     qPrintable(error.message()));
            if (page > 1)
                QVERIFY2(error.message().contains(QStringLiteral("page=%1").arg(page)),
                         qPrintable(error.message()));
            QVERIFY2(error.message().contains(what), qPrintable(error.message()));
        }
        QVERIFY(delivered <= (page - 1) * 20);
    }

    void resume_data()
    {
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QStringList>("repos");
        QTest::addColumn<int>("perPage");
        QTest::addColumn<int>("maxIterations");
        QTest::newRow("issues of the organisation, 1 page per chunk") << "issues" << QStringList() << 10 << 1;
        QTest::newRow("pull requests, 2 pages per chunk") << "pull_requests" << QStringList() << 7 << 2;
        QTest::newRow("commits, 1 page per chunk") << "commits" << QStringList() << 25 << 1;
        QTest::newRow("repositories listing, 1 per page") << "repositories" << QStringList() << 1 << 1;
        QTest::newRow("configured repositories")
            << "repositories"
            << QStringList{QStringLiteral("mako-org/alpha"), QStringLiteral("mako-org/beta"),
                           QStringLiteral("mako-org/gamma")}
            << 100 << 1;
        QTest::newRow("releases of configured repositories")
            << "releases" << QStringList{QStringLiteral("mako-org/delta"), QStringLiteral("mako-org/alpha")}
            << 1 << 1;
    }

    void resume()
    {
        QFETCH(QString, entity);
        QFETCH(QStringList, repos);
        QFETCH(int, perPage);
        QFETCH(int, maxIterations);
        const ChunkRun run = fetch(config(m_server, repos), entity, perPage, maxIterations, {}, true);
        QStringList expected;
        if (repos.isEmpty()) {
            expected = m_server.keys(entity);
        } else {
            for (const QString &repo : repos)
                expected += m_server.keys(entity, repo);
        }
        QVERIFY(run.chunks > 1);
        QCOMPARE(run.records.size(), expected.size()); // no duplicates
        QCOMPARE(keysOf(run.records), toSet(expected));
        QCOMPARE(run.state.totalProcessed, qint64(expected.size()));
    }
    // End to end: connector -> engine -> SQLite; an incremental rerun adds no duplicates.
    void syncThroughEngine()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const ConnectionInfo connection =
            fx.addConnection(QStringLiteral("GitHub org"), QStringLiteral("github"), config(m_server));
        QVERIFY(connection.id > 0);
        SyncOptions options;
        options.pageSize = 30;
        RunSummary summary = fx.sync(connection, options);
        QCOMPARE(summary.status, QStringLiteral("done"));
        const QStringList entities = GitHubConnector::staticMetadata().entityNames();
        for (const QString &entity : entities) {
            QStringList expected = m_server.keys(entity);
            expected.sort();
            QCOMPARE(fx.keys(connection.id, entity), expected);
        }
        options.mode = SyncMode::Incremental;
        summary = fx.sync(connection, options);
        QCOMPARE(summary.status, QStringLiteral("done"));
        // Only the newest records (GitHub's since is inclusive) came again.
        QVERIFY(summary.processed.value(QStringLiteral("issues")) <= 2);
        QVERIFY(summary.processed.value(QStringLiteral("pull_requests")) <= 2);
        QVERIFY(summary.processed.value(QStringLiteral("commits")) <= 3);
        for (const QString &entity : entities)
            QCOMPARE(fx.catalog->recordCount(connection.id, entity), qint64(m_server.keys(entity).size()));
        fx.close();
    }
};

QTEST_GUILESS_MAIN(TestGitHubConnector)
#include "tst_githubconnector.moc"
