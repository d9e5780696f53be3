// The declarative REST connector end to end: manifest -> registry -> engine -> real QNetworkAccessManager ->
// fake REST API on 127.0.0.1 -> SQLite. Every pagination and auth style, incremental, rate limits, malformed
// pages, bad manifests, the bundled example manifests, and a manifest dropped into a folder used by the CLI.
#include "fakerestserver.h"
#include "rest/manifestconnectors.h"
#include "rest/restconnector.h"
#include "testutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>

using Paging = FakeRestServer::Paging;
using Auth = FakeRestServer::Auth;

Q_DECLARE_METATYPE(FakeRestServer::Route)
Q_DECLARE_METATYPE(FakeRestServer::Malformed)

namespace {

QJsonObject entity(const QString &name, const QString &path, const QString &records,
                   const QJsonValue &key = QStringLiteral("id"))
{
    return QJsonObject{{QStringLiteral("name"), name},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("records"), records},
                       {QStringLiteral("primary_key"), key}};
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestRestConnector : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_manifestDir;
    QTemporaryDir m_dataHome;
    FakeRestServer *m_server = nullptr;
    EngineFixture *m_fx = nullptr;
    int m_serial = 0;

    // Writes a manifest into the MAKO_CONNECT_MANIFESTS folder and registers it: the path a user takes.
    QString addManifest(QJsonObject manifest)
    {
        const QString id = manifest.value(QStringLiteral("id")).toString() + QString::number(++m_serial);
        manifest.insert(QStringLiteral("id"), id);
        if (!manifest.contains(QStringLiteral("name")))
            manifest.insert(QStringLiteral("name"), QStringLiteral("Test API ") + id);
        if (!manifest.contains(QStringLiteral("base_url")))
            manifest.insert(QStringLiteral("base_url"), m_server->baseUrl().toString());
        QFile file(QDir(m_manifestDir.path()).filePath(id + QStringLiteral(".json")));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(manifest).toJson());
        file.close();
        QStringList errors;
        registerManifestConnectors(&errors);
        for (const QString &error : errors) {
            if (error.contains(id))
                qWarning() << error;
        }
        return ConnectorRegistry::instance().contains(id) ? id : QString();
    }

    QJsonObject config(const QJsonObject &extra = {}) const
    {
        QJsonObject config{{QStringLiteral("base_url"), m_server->baseUrl().toString()},
                           {QStringLiteral("batch_size"), 10},
                           {QStringLiteral("max_retries"), 4}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            config.insert(it.key(), it.value());
        return config;
    }

    SyncOptions options(const QStringList &entities = {}, SyncMode mode = SyncMode::Full)
    {
        SyncOptions o;
        o.entities = entities;
        o.mode = mode;
        return o;
    }

    // Fetches an entity chunk by chunk with a fresh connector each time, the state round-tripping through
    // JSON in between, like a resume after a restart. Returns every key handed over, in order.
    QStringList fetchInChunks(const QString &connectorId, const QJsonObject &config, const QString &entity,
                              int maxIterations, int *chunks, QString *error)
    {
        const ConnectorMetadata *registered = ConnectorRegistry::instance().metadata(connectorId);
        const ConnectorMetadata metadata = registered->forConfig(config);
        QStringList keys;
        FetchState state;
        *chunks = 0;
        while (state.hasMore && *chunks < 1000) {
            std::unique_ptr<BaseConnector> connector = ConnectorRegistry::instance().create(connectorId);
            connector->setup(metadata, config, CancelToken());
            ResumableFetchOptions o;
            o.entity = entity;
            o.batchSize = 10;
            o.maxIterations = maxIterations;
            o.state = FetchState::fromJson(QJsonDocument::fromJson(compact(state.toJson())).object());
            o.state.iterationsInChunk = 0;
            o.onBatch = [&keys](RecordBatch &&batch) {
                for (const Record &record : batch)
                    keys.append(QString::fromUtf8(record.key));
            };
            try {
                state = connector->fetchEntityChunk(o);
            } catch (const ConnectorError &e) {
                *error = e.message();
                return keys;
            }
            ++*chunks;
        }
        return keys;
    }

    CliResult cli(const QStringList &args, const QString &catalog)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("MAKO_CONNECT_MANIFESTS"), m_manifestDir.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dataHome.path()); // the user's folder: empty here
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(MC_CLI_PATH), QStringList{QStringLiteral("--catalog"), catalog} + args);
        CliResult result;
        if (!process.waitForFinished(120000)) {
            process.kill();
            process.waitForFinished();
        }
        result.exitCode = process.exitCode();
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }

    static FakeRestServer::Route route(Paging paging, const QString &records = QStringLiteral("data"))
    {
        FakeRestServer::Route r;
        r.path = QStringLiteral("/v1/items");
        r.paging = paging;
        r.recordsPath = records;
        r.defaultPageSize = 10;
        return r;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("MAKO_CONNECT_MANIFESTS", m_manifestDir.path().toUtf8());
        registerBuiltinConnectors();
    }

    void init()
    {
        m_server = new FakeRestServer;
        QVERIFY(m_server->start());
        m_fx = new EngineFixture;
        QVERIFY(m_fx->open());
    }

    void cleanup()
    {
        delete m_fx;
        delete m_server;
    }

    void bundledManifestsAreRegistered_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("icon");
        QTest::newRow("page numbers")
            << QStringLiteral("rickandmorty") << QStringLiteral(":/manifests/rickandmorty.svg");
        QTest::newRow("next url") << QStringLiteral("pokeapi") << QStringLiteral(":/manifests/pokeapi.svg");
        QTest::newRow("link header") << QStringLiteral("jsonplaceholder")
                                     << QStringLiteral(":/manifests/jsonplaceholder.svg");
    }

    void bundledManifestsAreRegistered()
    {
        QFETCH(QString, id);
        QFETCH(QString, icon);
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(id);
        QVERIFY2(metadata, qPrintable(manifestErrors().join(QLatin1Char('\n'))));
        QCOMPARE(metadata->iconPath, icon);
        QVERIFY(QFile::exists(icon));
        QVERIFY(!metadata->entities.isEmpty());
        QVERIFY(metadata->field(QStringLiteral("base_url")));
        QVERIFY(metadata->secretFieldNames().isEmpty()); // these public APIs need no key
        for (const QString &error : manifestErrors())
            QVERIFY2(!error.startsWith(QLatin1String(":/manifests")), qPrintable(error));
        // The generic engine is there too, for a manifest given in a connection's config.
        QVERIFY(ConnectorRegistry::instance().contains(QStringLiteral("rest")));
    }

    void pagination_data()
    {
        QTest::addColumn<FakeRestServer::Route>("server");
        QTest::addColumn<QJsonObject>("pagination");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("expectedPages");

        FakeRestServer::Route r = route(Paging::Page, QStringLiteral("data.items"));
        r.totalPagesPath = QStringLiteral("meta.total_pages");
        QTest::newRow("page number, total pages")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                           {QStringLiteral("size_param"), QStringLiteral("per_page")},
                           {QStringLiteral("total_pages_path"), QStringLiteral("meta.total_pages")}}
            << 53 << 6;
        r = route(Paging::Page, QString());
        QTest::newRow("page number, until an empty page")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                           {QStringLiteral("size_param"), QStringLiteral("per_page")}}
            << 53 << 7;
        QTest::newRow("page number, a short page ends it")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                           {QStringLiteral("size_param"), QStringLiteral("per_page")},
                           {QStringLiteral("stop_on_short_page"), true}}
            << 53 << 6;
        r = route(Paging::Page, QStringLiteral("results"));
        r.pageParam = QStringLiteral("p");
        r.startPage = 0;
        r.hasMorePath = QStringLiteral("has_more");
        QTest::newRow("zero-based pages with a has_more flag")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                           {QStringLiteral("page_param"), QStringLiteral("p")},
                           {QStringLiteral("start_page"), 0},
                           {QStringLiteral("size_param"), QStringLiteral("per_page")},
                           {QStringLiteral("has_more_path"), QStringLiteral("has_more")}}
            << 40 << 4;
        r = route(Paging::Offset, QStringLiteral("results"));
        r.sizeParam = QStringLiteral("limit");
        r.totalPath = QStringLiteral("count");
        QTest::newRow("offset and limit, with a total")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("offset")},
                           {QStringLiteral("size_param"), QStringLiteral("limit")},
                           {QStringLiteral("total_path"), QStringLiteral("count")}}
            << 95 << 10;
        r = route(Paging::Cursor, QStringLiteral("data"));
        r.sizeParam = QStringLiteral("limit");
        r.cursorPath = QStringLiteral("meta.next_cursor");
        r.hasMorePath = QStringLiteral("meta.has_more");
        QTest::newRow("cursor from the body")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("cursor")},
                           {QStringLiteral("size_param"), QStringLiteral("limit")},
                           {QStringLiteral("cursor_path"), QStringLiteral("meta.next_cursor")}}
            << 31 << 4;
        r = route(Paging::Link, QString());
        QTest::newRow("Link header rel=next")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("link")},
                           {QStringLiteral("size_param"), QStringLiteral("per_page")}}
            << 42 << 5;
        r = route(Paging::NextUrl, QStringLiteral("results"));
        r.sizeParam = QStringLiteral("limit");
        r.nextUrlPath = QStringLiteral("next");
        QTest::newRow("next URL from the body")
            << r
            << QJsonObject{{QStringLiteral("type"), QStringLiteral("next_url")},
                           {QStringLiteral("size_param"), QStringLiteral("limit")},
                           {QStringLiteral("next_url_path"), QStringLiteral("next")}}
            << 27 << 3;
        r = route(Paging::None, QStringLiteral("data"));
        QTest::newRow("no pagination")
            << r << QJsonObject{{QStringLiteral("type"), QStringLiteral("none")}} << 17 << 1;
    }

    void pagination()
    {
        QFETCH(FakeRestServer::Route, server);
        QFETCH(QJsonObject, pagination);
        QFETCH(int, count);
        QFETCH(int, expectedPages);
        m_server->addRoute(server, count);
        QJsonObject manifest{{QStringLiteral("id"), QStringLiteral("paging")},
                             {QStringLiteral("pagination"), pagination},
                             {QStringLiteral("entities"),
                              QJsonArray{entity(QStringLiteral("items"), server.path, server.recordsPath)}}};
        const QString id = addManifest(manifest);
        QVERIFY(!id.isEmpty());
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        QVERIFY(connection.id > 0);
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")), m_server->keys(server.path));
        QCOMPARE(summary.processed.value(QStringLiteral("items")), count);
        QCOMPARE(m_server->listRequestCount(server.path), expectedPages);
        // Stored byte for byte as the API sent it (escapes, non-ASCII text and all).
        QSqlQuery q(m_fx->catalog->database());
        q.prepare(QStringLiteral("SELECT data FROM records WHERE connection_id = ? AND record_key = '7'"));
        q.addBindValue(connection.id);
        QVERIFY(q.exec() && q.next());
        QCOMPARE(q.value(0).toString().toUtf8(), m_server->recordJson(server.path, 7));
        // A rerun neither duplicates nor loses anything.
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        QCOMPARE(m_fx->catalog->recordCount(connection.id, QStringLiteral("items")), count);
    }

    void resumeFromSerialisedState_data()
    {
        QTest::addColumn<FakeRestServer::Route>("server");
        QTest::addColumn<QJsonObject>("pagination");
        FakeRestServer::Route r = route(Paging::Page, QStringLiteral("data"));
        QTest::newRow("page") << r
                              << QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                                             {QStringLiteral("size_param"), QStringLiteral("per_page")},
                                             {QStringLiteral("stop_on_short_page"), true}};
        r = route(Paging::Offset, QStringLiteral("data"));
        r.totalPath = QStringLiteral("total");
        QTest::newRow("offset") << r
                                << QJsonObject{{QStringLiteral("type"), QStringLiteral("offset")},
                                               {QStringLiteral("size_param"), QStringLiteral("per_page")},
                                               {QStringLiteral("total_path"), QStringLiteral("total")}};
        r = route(Paging::Cursor, QStringLiteral("data"));
        r.cursorPath = QStringLiteral("next");
        QTest::newRow("cursor") << r
                                << QJsonObject{{QStringLiteral("type"), QStringLiteral("cursor")},
                                               {QStringLiteral("size_param"), QStringLiteral("per_page")},
                                               {QStringLiteral("cursor_path"), QStringLiteral("next")}};
        r = route(Paging::Link, QString());
        QTest::newRow("link") << r
                              << QJsonObject{{QStringLiteral("type"), QStringLiteral("link")},
                                             {QStringLiteral("size_param"), QStringLiteral("per_page")}};
        r = route(Paging::NextUrl, QStringLiteral("data"));
        r.nextUrlPath = QStringLiteral("links.next");
        QTest::newRow("next url") << r
                                  << QJsonObject{
                                         {QStringLiteral("type"), QStringLiteral("next_url")},
                                         {QStringLiteral("size_param"), QStringLiteral("per_page")},
                                         {QStringLiteral("next_url_path"), QStringLiteral("links.next")}};
    }

    void resumeFromSerialisedState()
    {
        QFETCH(FakeRestServer::Route, server);
        QFETCH(QJsonObject, pagination);
        m_server->addRoute(server, 73);
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("resume")},
                         {QStringLiteral("pagination"), pagination},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), server.path, server.recordsPath)}}});
        QVERIFY(!id.isEmpty());
        int chunks = 0;
        QString error;
        const QStringList keys = fetchInChunks(id, config(), QStringLiteral("items"), 2, &chunks, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(chunks, 4); // 8 pages, two per chunk, each chunk a fresh connector
        QStringList sorted = keys;
        sorted.sort();
        QCOMPARE(sorted, m_server->keys(server.path));                         // the union is the full set...
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), keys.size()); // ...without duplicates
    }

    void cancelledSyncResumes()
    {
        m_server->addRoute(route(Paging::Page), 800);
        m_server->setLatencyMs(30); // slow enough that the cancel lands mid-sync on a loaded machine
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("cancel")},
                         {QStringLiteral("pagination"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                                      {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"),
                                            QStringLiteral("data"))}}});
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        QString error;
        SyncJob *job = m_fx->engine->startSync(connection, options({}, SyncMode::Full), &error);
        QVERIFY2(job, qPrintable(error));
        QSignalSpy finished(job, &SyncJob::finished);
        connect(job, &SyncJob::progress, job, [job](const EntityProgress &p) {
            if (p.committed >= 50)
                job->cancel();
        });
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().value<RunSummary>().status, QStringLiteral("cancelled"));
        const qint64 kept = m_fx->catalog->recordCount(connection.id, QStringLiteral("items"));
        QVERIFY(kept >= 50 && kept < 800);
        QCOMPARE(m_fx->catalog->entityState(connection.id, QStringLiteral("items"))->state.totalProcessed,
                 kept);
        m_server->setLatencyMs(0);
        QList<EntityProgress> progress;
        const RunSummary resumed = m_fx->sync(connection, options(), &progress);
        QCOMPARE(resumed.status, QStringLiteral("done"));
        QVERIFY(progress.first().resumed);
        QCOMPARE(resumed.processed.value(QStringLiteral("items")), 800 - kept);
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")),
                 m_server->keys(QStringLiteral("/v1/items")));
    }

    void auth_data()
    {
        QTest::addColumn<int>("auth");
        QTest::addColumn<QJsonObject>("authSpec");
        QTest::addColumn<QJsonObject>("credentials");
        QTest::addColumn<QJsonObject>("wrongCredentials");
        QTest::addColumn<QString>("secret");
        const QString secret = QStringLiteral("s3cr3t-token-4242");
        const QString wrong = QStringLiteral("wrong-token-9999");
        QTest::newRow("none") << int(Auth::None)
                              << QJsonObject{{QStringLiteral("type"), QStringLiteral("none")}}
                              << QJsonObject() << QJsonObject() << QString();
        QTest::newRow("bearer") << int(Auth::Bearer)
                                << QJsonObject{{QStringLiteral("type"), QStringLiteral("bearer")}}
                                << QJsonObject{{QStringLiteral("token"), secret}}
                                << QJsonObject{{QStringLiteral("token"), wrong}} << secret;
        QTest::newRow("basic") << int(Auth::Basic)
                               << QJsonObject{{QStringLiteral("type"), QStringLiteral("basic")}}
                               << QJsonObject{{QStringLiteral("username"), QStringLiteral("ada")},
                                              {QStringLiteral("password"), secret}}
                               << QJsonObject{{QStringLiteral("username"), QStringLiteral("ada")},
                                              {QStringLiteral("password"), wrong}}
                               << secret;
        QTest::newRow("api key header") << int(Auth::ApiKeyHeader)
                                        << QJsonObject{{QStringLiteral("type"), QStringLiteral("api_key")},
                                                       {QStringLiteral("in"), QStringLiteral("header")},
                                                       {QStringLiteral("name"), QStringLiteral("X-Api-Key")}}
                                        << QJsonObject{{QStringLiteral("api_key"), secret}}
                                        << QJsonObject{{QStringLiteral("api_key"), wrong}} << secret;
        QTest::newRow("api key query") << int(Auth::ApiKeyQuery)
                                       << QJsonObject{{QStringLiteral("type"), QStringLiteral("api_key")},
                                                      {QStringLiteral("in"), QStringLiteral("query")},
                                                      {QStringLiteral("name"), QStringLiteral("apikey")}}
                                       << QJsonObject{{QStringLiteral("api_key"), secret}}
                                       << QJsonObject{{QStringLiteral("api_key"), wrong}} << secret;
    }

    void auth()
    {
        QFETCH(int, auth);
        QFETCH(QJsonObject, authSpec);
        QFETCH(QJsonObject, credentials);
        QFETCH(QJsonObject, wrongCredentials);
        QFETCH(QString, secret);
        // Link pagination: the API's next links echo the query, the key included when it is a query
        // parameter.
        m_server->addRoute(route(Paging::Link, QString()), 25);
        m_server->setAuth(Auth(auth), secret,
                          auth == int(Auth::ApiKeyQuery) ? QStringLiteral("apikey")
                                                         : QStringLiteral("X-Api-Key"),
                          QStringLiteral("ada"));
        const QString id = addManifest(
            {{QStringLiteral("id"), QStringLiteral("auth")},
             {QStringLiteral("auth"), authSpec},
             {QStringLiteral("pagination"),
              QJsonObject{{QStringLiteral("type"), QStringLiteral("link")},
                          {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
             {QStringLiteral("entities"),
              QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"), QString())}}});
        QVERIFY(!id.isEmpty());
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(id);
        for (auto it = credentials.begin(); it != credentials.end(); ++it) {
            const ConfigField *field = metadata->field(it.key());
            QVERIFY2(field, qPrintable(it.key()));
            QCOMPARE(field->isSecret(), it.key() != QLatin1String("username"));
        }

        QSignalSpy ok(m_fx->engine->startTest(id, config(credentials)), &TestJob::finished);
        QVERIFY(ok.wait(20000));
        const TestResult good = ok.first().first().value<TestResult>();
        QVERIFY2(good.success, qPrintable(good.message));

        // Every page commits with the state after it, so a next link (with the key) would be saved.
        const ConnectionInfo connection = m_fx->addConnection(id, id, config(credentials));
        const RunSummary summary = m_fx->sync(connection, options({}, SyncMode::Full));
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")),
                 m_server->keys(QStringLiteral("/v1/items")));

        if (secret.isEmpty())
            return;
        QSignalSpy bad(m_fx->engine->startTest(id, config(wrongCredentials)), &TestJob::finished);
        QVERIFY(bad.wait(20000));
        const TestResult refused = bad.first().first().value<TestResult>();
        QVERIFY(!refused.success);
        QVERIFY2(refused.message.startsWith(QLatin1String("Invalid credentials")),
                 qPrintable(refused.message));
        QVERIFY2(refused.message.contains(QLatin1String("Bad credentials")), qPrintable(refused.message));
        QVERIFY2(!refused.message.contains(QLatin1String("wrong-token-9999")), qPrintable(refused.message));
        // I6: the secret is in no catalog page (config, state, log), whatever the auth style.
        m_fx->close();
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile file(m_fx->catalogPath + suffix);
            if (file.open(QIODevice::ReadOnly))
                QVERIFY2(!file.readAll().contains(secret.toUtf8()), qPrintable(suffix));
        }
    }

    void incrementalSendsLargestCursorSeen()
    {
        FakeRestServer::Route r = route(Paging::Page, QStringLiteral("data"));
        r.sinceParam = QStringLiteral("updated_since");
        m_server->addRoute(r, 45);
        QJsonObject items = entity(QStringLiteral("items"), r.path, r.recordsPath);
        items.insert(QStringLiteral("incremental"),
                     QJsonObject{{QStringLiteral("cursor_field"), QStringLiteral("updated_at")},
                                 {QStringLiteral("param"), QStringLiteral("updated_since")}});
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("incremental")},
                         {QStringLiteral("pagination"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                                      {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
                         {QStringLiteral("entities"), QJsonArray{items}}});
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(id);
        QCOMPARE(metadata->entity(QStringLiteral("items"))->incremental, IncrementalMode::Native);
        QCOMPARE(metadata->entity(QStringLiteral("items"))->cursorField, QStringLiteral("updated_at"));
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        const QString firstMax = m_server->maxUpdatedAt(r.path);
        QCOMPARE(m_fx->catalog->entityState(connection.id, QStringLiteral("items"))->nextSince.toString(),
                 firstMax);

        m_server->touch(r.path, 3);
        m_server->touch(r.path, 30);
        m_server->addRecords(r.path, 4);
        m_server->clearRequestLog();
        const RunSummary summary = m_fx->sync(connection, options({}, SyncMode::Incremental));
        QCOMPARE(summary.status, QStringLiteral("done"));
        // The 6 changed records plus the boundary one the >= filter keeps; nothing else was fetched.
        QCOMPARE(summary.processed.value(QStringLiteral("items")), 7);
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")), m_server->keys(r.path));
        const QList<FakeRequest> requests = m_server->requests();
        QVERIFY(!requests.isEmpty());
        QCOMPARE(requests.first().query.queryItemValue(QStringLiteral("updated_since"), QUrl::FullyDecoded),
                 firstMax);
        QCOMPARE(m_fx->catalog->entityState(connection.id, QStringLiteral("items"))->nextSince.toString(),
                 m_server->maxUpdatedAt(r.path));
    }

    void clientFilterIncrementalDropsOldRecords()
    {
        m_server->addRoute(route(Paging::Offset, QStringLiteral("data")), 30);
        QJsonObject items =
            entity(QStringLiteral("items"), QStringLiteral("/v1/items"), QStringLiteral("data"));
        items.insert(QStringLiteral("incremental"),
                     QJsonObject{{QStringLiteral("cursor_field"), QStringLiteral("updated_at")}});
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("clientfilter")},
                         {QStringLiteral("pagination"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("offset")},
                                      {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
                         {QStringLiteral("entities"), QJsonArray{items}}});
        QCOMPARE(ConnectorRegistry::instance().metadata(id)->entity(QStringLiteral("items"))->incremental,
                 IncrementalMode::ClientFilter);
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        m_server->touch(QStringLiteral("/v1/items"), 12);
        const RunSummary summary = m_fx->sync(connection, options({}, SyncMode::Incremental));
        QCOMPARE(summary.status, QStringLiteral("done"));
        // Only the changed record and the boundary one (cursor equal to the last sync's) were kept.
        QCOMPARE(summary.processed.value(QStringLiteral("items")), 2);
        QCOMPARE(m_fx->catalog->recordCount(connection.id, QStringLiteral("items")), 30);
    }

    void rateLimitedRequestsAreRetried()
    {
        m_server->addRoute(route(Paging::Page), 60);
        m_server->setRateLimitEvery(3, 1);
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("ratelimit")},
                         {QStringLiteral("pagination"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                                      {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"),
                                            QStringLiteral("data"))}}});
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")),
                 m_server->keys(QStringLiteral("/v1/items")));
        bool sawRetry = false;
        for (const RunLogEntry &entry : m_fx->catalog->runLog(summary.runId))
            sawRetry = sawRetry || entry.message.contains(QLatin1String("HTTP 429"));
        QVERIFY(sawRetry);
    }

    void serverErrorsAreRetried()
    {
        m_server->addRoute(route(Paging::Page), 25);
        m_server->failNext(3, 502);
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("flaky")},
                         {QStringLiteral("pagination"), QStringLiteral("page")},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"),
                                            QStringLiteral("data"))}}});
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")),
                 m_server->keys(QStringLiteral("/v1/items")));
    }

    void rateLimitDelaySpacesRequests()
    {
        m_server->addRoute(route(Paging::Page), 50);
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("delay")},
                         {QStringLiteral("rate_limit_delay_ms"), 80},
                         {QStringLiteral("pagination"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                                      {QStringLiteral("size_param"), QStringLiteral("per_page")},
                                      {QStringLiteral("stop_on_short_page"), true}}},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"),
                                            QStringLiteral("data"))}}});
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(id);
        QCOMPARE(metadata->field(QStringLiteral("rate_limit_delay_ms"))->defaultValue.toInt(), 80);
        QJsonObject cfg = config();
        cfg.remove(QStringLiteral("rate_limit_delay_ms")); // the manifest's default applies
        const ConnectionInfo connection = m_fx->addConnection(id, id, cfg);
        QElapsedTimer clock;
        clock.start();
        const RunSummary summary = m_fx->sync(connection, options());
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(m_server->listRequestCount(QStringLiteral("/v1/items")), 6);
        QVERIFY2(clock.elapsed() >= 5 * 80,
                 qPrintable(QString::number(clock.elapsed()))); // 6 requests, 5 gaps
    }

    void malformedPageNamesTheUrl_data()
    {
        QTest::addColumn<FakeRestServer::Malformed>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("truncated") << FakeRestServer::Malformed::Truncated
                                   << QStringLiteral("not valid JSON");
        QTest::newRow("no records") << FakeRestServer::Malformed::MissingRecords
                                    << QStringLiteral("no \"data.items\" array");
        QTest::newRow("not an array")
            << FakeRestServer::Malformed::NotAnArray << QStringLiteral("\"data.items\" is not an array");
    }

    void malformedPageNamesTheUrl()
    {
        QFETCH(FakeRestServer::Malformed, kind);
        QFETCH(QString, reason);
        m_server->addRoute(route(Paging::Page, QStringLiteral("data.items")), 80);
        m_server->setMalformedPage(QStringLiteral("/v1/items"), 3, kind);
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("malformed")},
                         {QStringLiteral("pagination"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("page")},
                                      {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"),
                                            QStringLiteral("data.items"))}}});
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        const RunSummary summary = m_fx->sync(connection, options({}, SyncMode::Full));
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(m_server->baseUrl().toString() + QStringLiteral("/v1/items")),
                 qPrintable(summary.error));
        QVERIFY2(summary.error.contains(QLatin1String("page=4")), qPrintable(summary.error));
        QVERIFY2(summary.error.contains(reason), qPrintable(summary.error));
        QCOMPARE(m_fx->catalog->recordCount(connection.id, QStringLiteral("items")), 30); // pages 1-3 stay
        // Fixed: the rerun resumes at that page.
        m_server->setMalformedPage(QStringLiteral("/v1/items"), -1);
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("items")),
                 m_server->keys(QStringLiteral("/v1/items")));
        // A page cut short was asked for again max_retries (4) times before the sync gave up on it; a whole
        // JSON page of the wrong shape is not asked for again.
        const int retries = kind == FakeRestServer::Malformed::Truncated ? 4 : 0;
        QCOMPARE(m_server->listRequestCount(QStringLiteral("/v1/items")), 4 + retries + 6);
    }

    void recordWithoutPrimaryKeyIsAnError()
    {
        m_server->addRoute(route(Paging::Page), 15);
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("nokey")},
                         {QStringLiteral("pagination"), QStringLiteral("page")},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"),
                                            QStringLiteral("data"), QStringLiteral("uuid"))}}});
        const ConnectionInfo connection = m_fx->addConnection(id, id, config());
        const RunSummary summary = m_fx->sync(connection, options());
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("no primary key \"uuid\"")), qPrintable(summary.error));
        QVERIFY2(summary.error.contains(QLatin1String("/v1/items")), qPrintable(summary.error));
    }

    void compositeKeysAndPlaceholders()
    {
        FakeRestServer::Route r = route(Paging::Page, QStringLiteral("data"));
        r.path = QStringLiteral("/orgs/acme/items");
        m_server->addRoute(r, 12);
        const QString id =
            addManifest({{QStringLiteral("id"), QStringLiteral("placeholders")},
                         {QStringLiteral("config"),
                          QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("org")},
                                                 {QStringLiteral("required"), true}}}},
                         {QStringLiteral("pagination"), QStringLiteral("page")},
                         {QStringLiteral("entities"),
                          QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/orgs/{org}/items"),
                                            QStringLiteral("data"),
                                            QJsonArray{QStringLiteral("owner.id"), QStringLiteral("id")})}}});
        QVERIFY(!id.isEmpty());
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(id);
        QVERIFY(metadata->field(QStringLiteral("org"))->required);
        QCOMPARE(metadata->entity(QStringLiteral("items"))->primaryKey, QStringLiteral("owner.id,id"));
        const ConnectionInfo connection =
            m_fx->addConnection(id, id, config({{QStringLiteral("org"), QStringLiteral("acme")}}));
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        const QStringList keys = m_fx->keys(connection.id, QStringLiteral("items"));
        QCOMPARE(keys.size(), 12);
        QVERIFY2(keys.contains(QStringLiteral("3|10")),
                 qPrintable(keys.join(QLatin1Char(' ')))); // owner.id = 10 % 7
    }

    void badManifestIsReported_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("reason");
        const QJsonObject good{
            {QStringLiteral("id"), QStringLiteral("ok")},
            {QStringLiteral("name"), QStringLiteral("OK")},
            {QStringLiteral("base_url"), QStringLiteral("https://api.example.com")},
            {QStringLiteral("entities"),
             QJsonArray{entity(QStringLiteral("users"), QStringLiteral("/users"), QString())}}};
        auto with = [&good](const QString &key, const QJsonValue &value) {
            QJsonObject m = good;
            if (value.isUndefined())
                m.remove(key);
            else
                m.insert(key, value);
            return compact(m);
        };
        auto withEntity = [&good](const QString &key, const QJsonValue &value) {
            QJsonObject e = good.value(QStringLiteral("entities")).toArray().first().toObject();
            e.insert(key, value);
            QJsonObject m = good;
            m.insert(QStringLiteral("entities"), QJsonArray{e});
            return compact(m);
        };
        QTest::newRow("not json") << QByteArray("{\"id\": \"x\",") << QStringLiteral("(file)")
                                  << QStringLiteral("not valid JSON");
        QTest::newRow("no id") << with(QStringLiteral("id"), QJsonValue::Undefined) << QStringLiteral("id")
                               << QStringLiteral("required");
        QTest::newRow("bad id") << with(QStringLiteral("id"), QStringLiteral("My API"))
                                << QStringLiteral("id") << QStringLiteral("must start with a letter");
        QTest::newRow("bad base url")
            << with(QStringLiteral("base_url"), QStringLiteral("ftp://x")) << QStringLiteral("base_url")
            << QStringLiteral("is not an http(s) URL");
        QTest::newRow("no entities") << with(QStringLiteral("entities"), QJsonArray())
                                     << QStringLiteral("entities") << QStringLiteral("non-empty list");
        QTest::newRow("misspelt field") << with(QStringLiteral("pagenation"), QStringLiteral("page"))
                                        << QStringLiteral("pagenation") << QStringLiteral("unknown field");
        QTest::newRow("unknown pagination")
            << with(QStringLiteral("pagination"),
                    QJsonObject{{QStringLiteral("type"), QStringLiteral("pages")}})
            << QStringLiteral("pagination.type") << QStringLiteral("unknown pagination type \"pages\"");
        QTest::newRow("cursor without path")
            << withEntity(QStringLiteral("pagination"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("cursor")}})
            << QStringLiteral("entities[0].pagination.cursor_path")
            << QStringLiteral("required for cursor pagination");
        QTest::newRow("api key without name")
            << with(QStringLiteral("auth"), QJsonObject{{QStringLiteral("type"), QStringLiteral("api_key")}})
            << QStringLiteral("auth.name") << QStringLiteral("required for api_key");
        QTest::newRow("unknown auth")
            << with(QStringLiteral("auth"), QStringLiteral("oauth")) << QStringLiteral("auth.type")
            << QStringLiteral("unknown auth type \"oauth\"");
        QTest::newRow("placeholder without setting")
            << withEntity(QStringLiteral("path"), QStringLiteral("/orgs/{org}/users"))
            << QStringLiteral("entities[0].path") << QStringLiteral("{org} names no setting");
        QTest::newRow("bad entity name")
            << withEntity(QStringLiteral("name"), QStringLiteral("Users!"))
            << QStringLiteral("entities[0].name") << QStringLiteral("must start with a letter");
        QTest::newRow("incremental without param")
            << withEntity(QStringLiteral("incremental"),
                          QJsonObject{{QStringLiteral("cursor_field"), QStringLiteral("updated_at")},
                                      {QStringLiteral("mode"), QStringLiteral("native")}})
            << QStringLiteral("entities[0].incremental.param")
            << QStringLiteral("required unless mode is client-filter");
        QTest::newRow("negative delay")
            << with(QStringLiteral("rate_limit_delay_ms"), -5) << QStringLiteral("rate_limit_delay_ms")
            << QStringLiteral("whole number");
    }

    void badManifestIsReported()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        QFETCH(QString, reason);
        QStringList errors;
        const QString file = QStringLiteral("/somewhere/bad.json");
        QVERIFY(!parseRestManifest(json, file, &errors));
        bool found = false;
        for (const QString &error : errors)
            found = found || (error.startsWith(file + QStringLiteral(": ") + field + QStringLiteral(": ")) &&
                              error.contains(reason));
        QVERIFY2(found, qPrintable(errors.join(QLatin1Char('\n'))));
    }

    void badManifestInFolderNeverStopsTheApp()
    {
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("broken.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"id\": \"broken\", \"name\": \"Broken\", \"base_url\": \"https://x.example\", "
                  "\"entities\": [{\"name\": \"a\"}]}");
        bad.close();
        QFile noIcon(dir.filePath(QStringLiteral("noicon.json")));
        QVERIFY(noIcon.open(QIODevice::WriteOnly));
        noIcon.write(
            compact({{QStringLiteral("id"), QStringLiteral("noicon")},
                     {QStringLiteral("name"), QStringLiteral("No icon")},
                     {QStringLiteral("icon"), QStringLiteral("missing.svg")},
                     {QStringLiteral("base_url"), QStringLiteral("https://api.example.com")},
                     {QStringLiteral("entities"),
                      QJsonArray{entity(QStringLiteral("things"), QStringLiteral("/things"), QString())}}}));
        noIcon.close();
        QFile clash(dir.filePath(QStringLiteral("stripe.json")));
        QVERIFY(clash.open(QIODevice::WriteOnly));
        clash.write(
            compact({{QStringLiteral("id"), QStringLiteral("stripe")},
                     {QStringLiteral("name"), QStringLiteral("Fake Stripe")},
                     {QStringLiteral("base_url"), QStringLiteral("https://api.example.com")},
                     {QStringLiteral("entities"),
                      QJsonArray{entity(QStringLiteral("things"), QStringLiteral("/things"), QString())}}}));
        clash.close();

        qputenv("MAKO_CONNECT_MANIFESTS", (m_manifestDir.path() + QLatin1Char(':') + dir.path()).toUtf8());
        QStringList errors;
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                               "broken\\.json: entities\\[0\\]\\.path: required")));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("noicon\\.json: icon: cannot read")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                               "stripe\\.json: id: \"stripe\" is already used")));
        registerManifestConnectors(&errors);
        qputenv("MAKO_CONNECT_MANIFESTS", m_manifestDir.path().toUtf8());

        const QString joined = errors.join(QLatin1Char('\n'));
        QVERIFY2(joined.contains(bad.fileName() + QStringLiteral(": entities[0].path: required")),
                 qPrintable(joined));
        QVERIFY2(manifestErrors().join(QLatin1Char('\n')).contains(bad.fileName()),
                 "manifestErrors() lists it too");
        QVERIFY(!ConnectorRegistry::instance().contains(QStringLiteral("broken")));
        // A missing icon is a warning: the connector is there, with the generic icon.
        const ConnectorMetadata *noIconMetadata =
            ConnectorRegistry::instance().metadata(QStringLiteral("noicon"));
        QVERIFY(noIconMetadata);
        QCOMPARE(noIconMetadata->iconPath, QStringLiteral(":/icons/connector-generic.svg"));
        // A manifest may not take a built-in's id.
        QCOMPARE(ConnectorRegistry::instance().metadata(QStringLiteral("stripe"))->name,
                 QStringLiteral("Stripe"));
    }

    void manifestDroppedIntoFolderWorksInTheCli()
    {
        m_server->addRoute(route(Paging::Link, QString()), 34);
        m_server->setAuth(Auth::Bearer, QStringLiteral("tok_cli_123"));
        // An SVG beside the manifest becomes its icon.
        QFile svg(QDir(m_manifestDir.path()).filePath(QStringLiteral("dropped.svg")));
        QVERIFY(svg.open(QIODevice::WriteOnly));
        svg.write("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"32\" height=\"32\"><rect width=\"32\" "
                  "height=\"32\" fill=\"#09c\"/></svg>");
        svg.close();
        QFile manifest(QDir(m_manifestDir.path()).filePath(QStringLiteral("dropped.json")));
        QVERIFY(manifest.open(QIODevice::WriteOnly));
        manifest.write(
            compact({{QStringLiteral("id"), QStringLiteral("dropped")},
                     {QStringLiteral("name"), QStringLiteral("Dropped API")},
                     {QStringLiteral("icon"), QStringLiteral("dropped.svg")},
                     {QStringLiteral("base_url"), QStringLiteral("https://api.dropped.example")},
                     {QStringLiteral("auth"), QStringLiteral("bearer")},
                     {QStringLiteral("pagination"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("link")},
                                  {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
                     {QStringLiteral("entities"),
                      QJsonArray{entity(QStringLiteral("items"), QStringLiteral("/v1/items"), QString())}}}));
        manifest.close();
        QFile bad(QDir(m_manifestDir.path()).filePath(QStringLiteral("zz-bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"id\": \"zz\", \"name\": \"ZZ\", \"base_url\": \"https://x.example\", \"entities\": [], "
                  "\"pagination\": 3}");
        bad.close();

        QTemporaryDir catalogDir;
        const QString catalog = catalogDir.filePath(QStringLiteral("catalog.sqlite"));
        CliResult listed = cli({QStringLiteral("connectors"), QStringLiteral("--json")}, catalog);
        QCOMPARE(listed.exitCode, 0);
        const QJsonArray connectors = QJsonDocument::fromJson(listed.out).array();
        QJsonObject dropped;
        for (const QJsonValue &c : connectors) {
            if (c.toObject().value(QStringLiteral("id")).toString() == QLatin1String("dropped"))
                dropped = c.toObject();
        }
        QVERIFY2(!dropped.isEmpty(), listed.out.constData());
        QCOMPARE(dropped.value(QStringLiteral("name")).toString(), QStringLiteral("Dropped API"));
        QCOMPARE(dropped.value(QStringLiteral("icon")).toString(), QFileInfo(svg).absoluteFilePath());
        QCOMPARE(dropped.value(QStringLiteral("entities"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("name"))
                     .toString(),
                 QStringLiteral("items"));
        // The bad one is reported on stderr with file, field and reason, and everything else still works.
        QVERIFY2(listed.err.contains("zz-bad.json: pagination: must be an object"), listed.err.constData());
        QVERIFY2(listed.err.contains("zz-bad.json: entities: required"), listed.err.constData());

        const QString cfg =
            QString::fromUtf8(compact({{QStringLiteral("token"), QStringLiteral("tok_cli_123")},
                                       {QStringLiteral("base_url"), m_server->baseUrl().toString()}}));
        CliResult added =
            cli({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("--connector"),
                 QStringLiteral("dropped"), QStringLiteral("--name"), QStringLiteral("dropped-test"),
                 QStringLiteral("--config"), cfg},
                catalog);
        QVERIFY2(added.exitCode == 0, added.err.constData());
        CliResult test = cli({QStringLiteral("test"), QStringLiteral("dropped-test")}, catalog);
        QVERIFY2(test.exitCode == 0, (test.out + test.err).constData());
        CliResult synced = cli({QStringLiteral("sync"), QStringLiteral("dropped-test"),
                                QStringLiteral("--progress"), QStringLiteral("none")},
                               catalog);
        QVERIFY2(synced.exitCode == 0, synced.err.constData());
        CliResult records = cli(
            {QStringLiteral("records"), QStringLiteral("dropped-test"), QStringLiteral("items")}, catalog);
        QCOMPARE(records.exitCode, 0);
        const QList<QByteArray> lines = records.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 34);
        QVERIFY(lines.contains(m_server->recordJson(QStringLiteral("/v1/items"), 21)));

        QFile::remove(manifest.fileName());
        QFile::remove(bad.fileName());
        QFile::remove(svg.fileName());
    }

    void genericConnectorTakesManifestFromConfig()
    {
        m_server->addRoute(route(Paging::Offset, QStringLiteral("results")), 21);
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("api.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(compact({{QStringLiteral("name"), QStringLiteral("Inline API")},
                            {QStringLiteral("base_url"), QStringLiteral("https://api.example.com")},
                            {QStringLiteral("pagination"),
                             QJsonObject{{QStringLiteral("type"), QStringLiteral("offset")},
                                         {QStringLiteral("size_param"), QStringLiteral("per_page")}}},
                            {QStringLiteral("entities"),
                             QJsonArray{entity(QStringLiteral("widgets"), QStringLiteral("/v1/items"),
                                               QStringLiteral("results"))}}}));
        file.close();
        const ConnectorMetadata *generic = ConnectorRegistry::instance().metadata(QStringLiteral("rest"));
        QVERIFY(generic && generic->configEntities);
        const QJsonObject cfg = config({{QStringLiteral("manifest"), file.fileName()}});
        QCOMPARE(generic->entitiesFor(cfg).size(), 1);
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("generic"), QStringLiteral("rest"), cfg);
        QVERIFY(connection.id > 0);
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("widgets")),
                 m_server->keys(QStringLiteral("/v1/items")));

        // A broken manifest in the config is refused with its reason before anything runs.
        const ConnectionInfo broken =
            m_fx->addConnection(QStringLiteral("broken"), QStringLiteral("rest"),
                                config({{QStringLiteral("manifest"), QStringLiteral("{\"entities\": 1}")}}));
        QString error;
        QVERIFY(!m_fx->engine->startSync(broken, options(), &error));
        QVERIFY2(error.contains(QLatin1String("entities")), qPrintable(error));
    }

    void bundledManifestsSyncTheirApi_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QList<FakeRestServer::Route>>("routes");
        QTest::addColumn<bool>("byName");

        // Rick and Morty: fixed 20 per page, ?page=N, info { count pages next prev }, 404 past the end.
        QList<FakeRestServer::Route> rick;
        for (const QString &path : {QStringLiteral("/api/character"), QStringLiteral("/api/location"),
                                    QStringLiteral("/api/episode")}) {
            FakeRestServer::Route r;
            r.path = path;
            r.paging = Paging::Page;
            r.recordsPath = QStringLiteral("results");
            r.sizeParam = QString();
            r.defaultPageSize = 20;
            r.totalPath = QStringLiteral("info.count");
            r.totalPagesPath = QStringLiteral("info.pages");
            r.nextUrlPath = QStringLiteral("info.next");
            r.notFoundPastLastPage = true;
            rick.append(r);
        }
        QTest::newRow("rickandmorty")
            << QStringLiteral("rickandmorty") << QStringLiteral("/api") << rick << false;
        // PokéAPI: ?offset=&limit=, {count, next, previous, results: [{name, url}]}.
        QList<FakeRestServer::Route> poke;
        for (const QString &path :
             {QStringLiteral("/api/v2/pokemon"), QStringLiteral("/api/v2/pokemon-species"),
              QStringLiteral("/api/v2/ability"), QStringLiteral("/api/v2/move"),
              QStringLiteral("/api/v2/type"), QStringLiteral("/api/v2/item"), QStringLiteral("/api/v2/berry"),
              QStringLiteral("/api/v2/generation")}) {
            FakeRestServer::Route r;
            r.path = path;
            r.paging = Paging::NextUrl;
            r.recordsPath = QStringLiteral("results");
            r.sizeParam = QStringLiteral("limit");
            r.maxPageSize = 100000;
            r.totalPath = QStringLiteral("count");
            r.nextUrlPath = QStringLiteral("next");
            poke.append(r);
        }
        QTest::newRow("pokeapi") << QStringLiteral("pokeapi") << QStringLiteral("/api/v2") << poke << true;
        // JSONPlaceholder: a bare array, ?_page=&_limit=, Link: <…>; rel="next".
        QList<FakeRestServer::Route> placeholder;
        for (const QString &path :
             {QStringLiteral("/posts"), QStringLiteral("/comments"), QStringLiteral("/albums"),
              QStringLiteral("/photos"), QStringLiteral("/todos"), QStringLiteral("/users")}) {
            FakeRestServer::Route r;
            r.path = path;
            r.paging = Paging::Link;
            r.recordsPath = QString();
            r.pageParam = QStringLiteral("_page");
            r.sizeParam = QStringLiteral("_limit");
            placeholder.append(r);
        }
        QTest::newRow("jsonplaceholder")
            << QStringLiteral("jsonplaceholder") << QString() << placeholder << false;
    }

    void bundledManifestsSyncTheirApi()
    {
        QFETCH(QString, id);
        QFETCH(QString, prefix);
        QFETCH(QList<FakeRestServer::Route>, routes);
        QFETCH(bool, byName);
        int count = 23;
        for (const FakeRestServer::Route &r : routes)
            m_server->addRoute(r, count++);
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(id);
        QVERIFY(metadata);
        QJsonObject cfg = config({{QStringLiteral("base_url"), m_server->baseUrl().toString() + prefix}});
        cfg.insert(QStringLiteral("rate_limit_delay_ms"), 0);
        const ConnectionInfo connection = m_fx->addConnection(id, id, cfg);
        QVERIFY(connection.id > 0);
        QSignalSpy test(m_fx->engine->startTest(id, cfg), &TestJob::finished);
        QVERIFY(test.wait(20000));
        QVERIFY2(test.first().first().value<TestResult>().success,
                 qPrintable(test.first().first().value<TestResult>().message));
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(metadata->entities.size(), routes.size());
        for (int i = 0; i < routes.size(); ++i) {
            const QString entityName = metadata->entities.at(i).name;
            const QStringList expected =
                byName ? m_server->names(routes.at(i).path) : m_server->keys(routes.at(i).path);
            QCOMPARE(m_fx->keys(connection.id, entityName), expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestRestConnector)
#include "tst_restconnector.moc"
