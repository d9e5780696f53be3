// The GraphQL connector end to end against a fake Relay-style endpoint: entities defined in the connection's
// config, edges and nodes shapes, $after paging, incremental through a $since variable, GraphQL errors
// arrays, malformed responses, auth through a token or secret headers, 429s and a resume from serialised
// state.
#include "fakegraphqlserver.h"
#include "graphql/graphqlconnector.h"
#include "testutil.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

Q_DECLARE_METATYPE(FakeGraphQLServer::Malformed)

namespace {

const QString kIssuesQuery = QStringLiteral(
    "query($after: String, $first: Int, $since: DateTime) { repository(owner: \"mako\", name: \"connect\") { "
    "issues(first: $first, after: $after, filterBy: {since: $since}) { totalCount edges { cursor node { id "
    "number "
    "title updatedAt labels { nodes { name } } } } pageInfo { hasNextPage endCursor } } } }");
const QString kUsersQuery = QStringLiteral("query Users($after: String, $first: Int) { users(first: $first, "
                                           "after: $after) { nodes { id login createdAt } "
                                           "pageInfo { hasNextPage endCursor } } }");

QJsonObject issuesEntity()
{
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("issues")},
                       {QStringLiteral("query"), kIssuesQuery},
                       {QStringLiteral("records"), QStringLiteral("repository.issues.edges")},
                       {QStringLiteral("node"), QStringLiteral("node")},
                       {QStringLiteral("incremental"),
                        QJsonObject{{QStringLiteral("cursor_field"), QStringLiteral("updatedAt")},
                                    {QStringLiteral("variable"), QStringLiteral("since")}}}};
}

QJsonObject usersEntity()
{
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("users")},
                       {QStringLiteral("label"), QStringLiteral("Users")},
                       {QStringLiteral("query"), kUsersQuery},
                       {QStringLiteral("records"), QStringLiteral("data.users.nodes")}};
}

} // namespace

class TestGraphQLConnector : public QObject
{
    Q_OBJECT

private:
    FakeGraphQLServer *m_server = nullptr;
    EngineFixture *m_fx = nullptr;
    const QString m_token = QStringLiteral("ghp_graphqlsecret123");

    QJsonObject config(const QJsonValue &entities = QJsonArray{issuesEntity(), usersEntity()},
                       const QJsonObject &extra = {}) const
    {
        QJsonObject config{
            {QStringLiteral("base_url"), m_server->baseUrl().toString() + QStringLiteral("/graphql")},
            {QStringLiteral("token"), m_token},
            {QStringLiteral("entities"), entities},
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

    TestResult test(const QJsonObject &config)
    {
        QSignalSpy spy(m_fx->engine->startTest(QStringLiteral("graphql"), config), &TestJob::finished);
        if (!spy.wait(20000))
            return {};
        return spy.first().first().value<TestResult>();
    }

private slots:
    void init()
    {
        m_server = new FakeGraphQLServer;
        QVERIFY(m_server->start());
        m_server->setToken(m_token);
        m_server->seedIssues(57);
        m_server->seedUsers(23);
        m_fx = new EngineFixture;
        QVERIFY(m_fx->open());
    }

    void cleanup()
    {
        delete m_fx;
        delete m_server;
    }

    void metadataListsEntitiesFromConfig()
    {
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(QStringLiteral("graphql"));
        QVERIFY(metadata);
        QVERIFY(metadata->entities.isEmpty());
        QVERIFY(metadata->configEntities);
        QVERIFY(metadata->toJson()
                    .value(QStringLiteral("capabilities"))
                    .toArray()
                    .contains(QStringLiteral("config-entities")));
        QCOMPARE(metadata->secretFieldNames(),
                 (QStringList{QStringLiteral("token"), QStringLiteral("headers")}));
        const QList<EntityInfo> entities = metadata->entitiesFor(config());
        QCOMPARE(entities.size(), 2);
        QCOMPARE(entities.at(0).name, QStringLiteral("issues"));
        QCOMPARE(entities.at(0).incremental, IncrementalMode::Native);
        QCOMPARE(entities.at(0).cursorField, QStringLiteral("updatedAt"));
        QCOMPARE(entities.at(1).label, QStringLiteral("Users"));
        QCOMPARE(entities.at(1).incremental, IncrementalMode::None);
    }

    void fullSync_data()
    {
        QTest::addColumn<QJsonValue>("entities");
        QTest::newRow("JSON list") << QJsonValue(QJsonArray{issuesEntity(), usersEntity()});
        QTest::newRow("JSON text") << QJsonValue(QString::fromUtf8(
            QJsonDocument(QJsonArray{issuesEntity(), usersEntity()}).toJson(QJsonDocument::Indented)));
        // What a form that splits list fields on commas hands over for a one-line JSON text.
        QJsonArray split;
        for (const QString &part :
             QString::fromUtf8(
                 QJsonDocument(QJsonArray{issuesEntity(), usersEntity()}).toJson(QJsonDocument::Compact))
                 .split(QLatin1Char(',')))
            split.append(part.trimmed());
        QTest::newRow("form-split text") << QJsonValue(split);
    }

    void fullSync()
    {
        QFETCH(QJsonValue, entities);
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("gql"), QStringLiteral("graphql"), config(entities));
        QVERIFY(connection.id > 0);
        const RunSummary summary = m_fx->sync(connection, options());
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("issues")), m_server->issueIds());
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("users")), m_server->userIds());
        QCOMPARE(m_server->pageRequestCount(), 6 + 3);
        // The node is stored exactly as sent, without its edge.
        QSqlQuery q(m_fx->catalog->database());
        QVERIFY(q.exec(
            QStringLiteral("SELECT data FROM records WHERE entity = 'issues' AND record_key = 'I_0042'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString().toUtf8(), m_server->issueJson(42));
        // $after followed endCursor; $first carried the batch size.
        // (The two entities run in parallel, so their requests interleave.)
        const QList<QJsonObject> variables = m_server->variablesLog();
        int firstPages = 0;
        for (const QJsonObject &v : variables) {
            QCOMPARE(v.value(QStringLiteral("first")).toInt(), 10);
            firstPages += v.value(QStringLiteral("after")).isNull() ? 1 : 0;
        }
        QCOMPARE(firstPages, 2);
    }

    void incrementalSendsSinceVariable()
    {
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("gql"), QStringLiteral("graphql"), config());
        QCOMPARE(m_fx->sync(connection, options({QStringLiteral("issues")})).status, QStringLiteral("done"));
        const auto state = m_fx->catalog->entityState(connection.id, QStringLiteral("issues"));
        QCOMPARE(state->nextSince.toString(), QStringLiteral("2024-01-01T00:57:00Z"));
        m_server->touchIssue(5);
        m_server->touchIssue(11);
        const RunSummary summary =
            m_fx->sync(connection, options({QStringLiteral("issues")}, SyncMode::Incremental));
        QCOMPARE(summary.status, QStringLiteral("done"));
        QCOMPARE(summary.processed.value(QStringLiteral("issues")), 3); // two touched and the boundary one
        QCOMPARE(m_server->variablesLog().last().value(QStringLiteral("since")).toString(),
                 QStringLiteral("2024-01-01T00:57:00Z"));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("issues")), m_server->issueIds());
    }

    void graphqlErrorsFailClearly_data()
    {
        QTest::addColumn<bool>("partial");
        QTest::addColumn<QString>("expected");
        QTest::newRow("invalid field")
            << false << QStringLiteral("Field 'brokenField' doesn't exist on type 'Issue'");
        QTest::newRow("data with errors")
            << true
            << QStringLiteral("Something went wrong while executing your query. (at repository.issues)");
    }

    void graphqlErrorsFailClearly()
    {
        QFETCH(bool, partial);
        QFETCH(QString, expected);
        QJsonObject issues = issuesEntity();
        if (!partial)
            issues.insert(QStringLiteral("query"), kIssuesQuery + QStringLiteral(" # brokenField"));
        m_server->setPartialErrors(partial);
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("gql"), QStringLiteral("graphql"), config(QJsonArray{issues}));
        const RunSummary summary = m_fx->sync(connection, options());
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("GraphQL errors from ")), qPrintable(summary.error));
        QVERIFY2(summary.error.contains(expected), qPrintable(summary.error));
        QVERIFY2(summary.error.contains(QLatin1String("/graphql")), qPrintable(summary.error));
        QCOMPARE(m_fx->catalog->recordCount(connection.id, QStringLiteral("issues")), 0);
    }

    void malformedResponseNamesTheEndpoint_data()
    {
        QTest::addColumn<FakeGraphQLServer::Malformed>("kind");
        QTest::addColumn<QString>("entity");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no pageInfo") << FakeGraphQLServer::Malformed::NoPageInfo << QStringLiteral("issues")
                                     << QStringLiteral(
                                            "no pageInfo { hasNextPage } at data.repository.issues.pageInfo");
        QTest::newRow("no records") << FakeGraphQLServer::Malformed::NoRecords << QStringLiteral("users")
                                    << QStringLiteral("no records list at data.users.nodes");
        QTest::newRow("truncated") << FakeGraphQLServer::Malformed::Truncated << QStringLiteral("issues")
                                   << QStringLiteral("not a JSON object");
    }

    void malformedResponseNamesTheEndpoint()
    {
        QFETCH(FakeGraphQLServer::Malformed, kind);
        QFETCH(QString, entity);
        QFETCH(QString, reason);
        m_server->setMalformedPage(2, kind);
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("gql"), QStringLiteral("graphql"), config());
        const RunSummary summary = m_fx->sync(connection, options({entity}, SyncMode::Full));
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(m_server->baseUrl().toString() + QStringLiteral("/graphql")),
                 qPrintable(summary.error));
        QVERIFY2(summary.error.contains(reason), qPrintable(summary.error));
        QCOMPARE(m_fx->catalog->recordCount(connection.id, entity), 20); // the two pages before it stay
        m_server->setMalformedPage(-1, kind);
        QCOMPARE(m_fx->sync(connection, options({entity})).status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(connection.id, entity),
                 entity == QLatin1String("issues") ? m_server->issueIds() : m_server->userIds());
    }

    void credentials_data()
    {
        QTest::addColumn<QJsonObject>("extra");
        QTest::newRow("token") << QJsonObject();
        QTest::newRow("headers as JSON") << QJsonObject{
            {QStringLiteral("token"), QString()},
            {QStringLiteral("headers"),
             QStringLiteral("{\"Authorization\": \"Bearer ghp_graphqlsecret123\", \"X-Org\": \"mako\"}")}};
        QTest::newRow("headers as lines")
            << QJsonObject{{QStringLiteral("token"), QString()},
                           {QStringLiteral("headers"),
                            QStringLiteral("X-Org: mako\nAuthorization: Bearer ghp_graphqlsecret123\n")}};
    }

    void credentials()
    {
        QFETCH(QJsonObject, extra);
        const TestResult ok = test(config(QJsonArray{usersEntity()}, extra));
        QVERIFY2(ok.success, qPrintable(ok.message));
        QVERIFY2(ok.message.contains(QLatin1String("root type Query")), qPrintable(ok.message));
        const ConnectionInfo connection = m_fx->addConnection(
            QStringLiteral("gql"), QStringLiteral("graphql"), config(QJsonArray{usersEntity()}, extra));
        QCOMPARE(m_fx->sync(connection, options()).status, QStringLiteral("done"));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("users")), m_server->userIds());
        m_fx->close();
        QFile catalog(m_fx->catalogPath);
        QVERIFY(catalog.open(QIODevice::ReadOnly));
        QVERIFY(!catalog.readAll().contains("ghp_graphqlsecret123")); // headers are a secret field (I6)
    }

    void badTokenIsReportedClearly()
    {
        const TestResult result = test(config(
            QJsonArray{usersEntity()}, {{QStringLiteral("token"), QStringLiteral("ghp_wrongwrongwrong")}}));
        QVERIFY(!result.success);
        QVERIFY2(result.message.startsWith(QLatin1String("Invalid credentials")), qPrintable(result.message));
        QVERIFY2(result.message.contains(QLatin1String("Bad credentials")), qPrintable(result.message));
        QVERIFY2(!result.message.contains(QLatin1String("ghp_wrongwrongwrong")), qPrintable(result.message));
    }

    void badEntityDefinitionsAreRefused_data()
    {
        QTest::addColumn<QJsonValue>("entities");
        QTest::addColumn<QString>("problem");
        QJsonObject noAfter = usersEntity();
        noAfter.insert(QStringLiteral("query"),
                       QStringLiteral("{ users { nodes { id } pageInfo { hasNextPage endCursor } } }"));
        QTest::newRow("no $after") << QJsonValue(QJsonArray{noAfter})
                                   << QStringLiteral("entities[0].query: must declare and use the $after");
        QJsonObject noRecords = usersEntity();
        noRecords.remove(QStringLiteral("records"));
        QTest::newRow("no records path")
            << QJsonValue(QJsonArray{noRecords}) << QStringLiteral("entities[0].records: required");
        QTest::newRow("not JSON") << QJsonValue(QStringLiteral("[{\"name\": "))
                                  << QStringLiteral("entities: not a JSON list");
        QJsonObject twice = usersEntity();
        QTest::newRow("same name twice") << QJsonValue(QJsonArray{twice, twice})
                                         << QStringLiteral("entities[1].name: \"users\" is defined twice");
    }

    void badEntityDefinitionsAreRefused()
    {
        QFETCH(QJsonValue, entities);
        QFETCH(QString, problem);
        const TestResult result = test(config(entities));
        QVERIFY(!result.success);
        QVERIFY2(result.message.contains(problem), qPrintable(result.message));
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("gql"), QStringLiteral("graphql"), config(entities));
        QString error;
        QVERIFY(!m_fx->engine->startSync(connection, options(), &error));
        QVERIFY2(error.contains(problem), qPrintable(error));
    }

    void rateLimitIsWaitedOut()
    {
        m_server->setRateLimitEvery(2, 1);
        const ConnectionInfo connection =
            m_fx->addConnection(QStringLiteral("gql"), QStringLiteral("graphql"), config());
        const RunSummary summary = m_fx->sync(connection, options({QStringLiteral("users")}));
        QVERIFY2(summary.status == QLatin1String("done"), qPrintable(summary.error));
        QCOMPARE(m_fx->keys(connection.id, QStringLiteral("users")), m_server->userIds());
        bool sawRetry = false;
        for (const RunLogEntry &entry : m_fx->catalog->runLog(summary.runId))
            sawRetry = sawRetry || entry.message.contains(QLatin1String("HTTP 429"));
        QVERIFY(sawRetry);
    }

    void resumeFromSerialisedState()
    {
        const QJsonObject cfg = config();
        const ConnectorMetadata metadata =
            ConnectorRegistry::instance().metadata(QStringLiteral("graphql"))->forConfig(cfg);
        QStringList keys;
        FetchState state;
        int chunks = 0;
        while (state.hasMore && chunks < 100) {
            std::unique_ptr<BaseConnector> connector =
                ConnectorRegistry::instance().create(QStringLiteral("graphql"));
            connector->setup(metadata, cfg, CancelToken());
            ResumableFetchOptions o;
            o.entity = QStringLiteral("issues");
            o.batchSize = 10;
            o.maxIterations = 1;
            o.state = FetchState::fromJson(
                QJsonDocument::fromJson(QJsonDocument(state.toJson()).toJson()).object());
            o.state.iterationsInChunk = 0; // as the engine does before each chunk
            o.onBatch = [&keys](RecordBatch &&batch) {
                for (const Record &record : batch)
                    keys.append(QString::fromUtf8(record.key));
            };
            state = connector->fetchEntityChunk(o);
            ++chunks;
        }
        QCOMPARE(chunks, 6);
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), keys.size());
        keys.sort();
        QCOMPARE(keys, m_server->issueIds());
        QVERIFY(state.highWater.isString());
    }
};

QTEST_GUILESS_MAIN(TestGraphQLConnector)
#include "tst_graphqlconnector.moc"
