// libFuzzer: every HTTP connector's page parser. A server on 127.0.0.1 answers every request with the input
// as a 200 body; each connector fetches one page of one of its entities from it. The REST connector runs
// once per pagination style its manifests can name, and GraphQL with edges and with nodes.
#include "connectorregistry.h"
#include "fakehttpserver.h"
#include "fuzzapp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <map>

namespace {
class EchoServer : public FakeHttpServer
{
public:
    ~EchoServer() override { stop(); }
    void setBody(const QByteArray &body)
    {
        QMutexLocker lock(&m_mutex);
        m_body = body;
    }

protected:
    FakeResponse handle(const FakeRequest &) override
    {
        QMutexLocker lock(&m_mutex);
        return FakeResponse::json(200, m_body);
    }

private:
    QMutex m_mutex;
    QByteArray m_body;
};
} // namespace

namespace {
// A REST manifest of one entity paged the given way, inline as the generic connector's config takes it.
QJsonObject restConfig(const QJsonObject &pagination)
{
    const QJsonObject entity{{QStringLiteral("name"), QStringLiteral("items")},
                             {QStringLiteral("path"), QStringLiteral("/items")},
                             {QStringLiteral("records"), QStringLiteral("data.items")},
                             {QStringLiteral("primary_key"), QStringLiteral("id")}};
    const QJsonObject manifest{{QStringLiteral("id"), QStringLiteral("fuzz")},
                               {QStringLiteral("name"), QStringLiteral("Fuzz")},
                               {QStringLiteral("base_url"), QStringLiteral("http://127.0.0.1:1")},
                               {QStringLiteral("pagination"), pagination},
                               {QStringLiteral("entities"), QJsonArray{entity}}};
    return {{QStringLiteral("manifest"),
             QString::fromUtf8(QJsonDocument(manifest).toJson(QJsonDocument::Compact))}};
}

QJsonObject graphQLConfig()
{
    const QJsonObject edges{
        {QStringLiteral("name"), QStringLiteral("issues")},
        {QStringLiteral("query"),
         QStringLiteral("query($after: String, $first: Int, $since: DateTime) { repository { issues(first: "
                        "$first, after: $after, since: $since) { edges { cursor node { id updatedAt } } "
                        "pageInfo { hasNextPage endCursor } } } }")},
        {QStringLiteral("records"), QStringLiteral("repository.issues.edges")},
        {QStringLiteral("node"), QStringLiteral("node")},
        {QStringLiteral("incremental"),
         QJsonObject{{QStringLiteral("cursor_field"), QStringLiteral("updatedAt")},
                     {QStringLiteral("variable"), QStringLiteral("since")}}}};
    const QJsonObject nodes{{QStringLiteral("name"), QStringLiteral("users")},
                            {QStringLiteral("query"), QStringLiteral("query($after: String, $first: Int) { "
                                                                     "users(first: $first, after: $after) { "
                                                                     "nodes { id } pageInfo { hasNextPage "
                                                                     "endCursor } } }")},
                            {QStringLiteral("records"), QStringLiteral("data.users.nodes")}};
    return {{QStringLiteral("token"), QStringLiteral("ghp_fuzz")},
            {QStringLiteral("entities"), QJsonArray{edges, nodes}}};
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ensureFuzzApp();
    static EchoServer server;
    static std::map<QString, std::unique_ptr<BaseConnector>> connectors;
    if (connectors.empty()) {
        server.start();
        registerBuiltinConnectors();
        const QString base = server.baseUrl().toString();
        // Every connector pointed at the local server only (PostHog's region would pick a cloud host).
        auto paged = [](const char *type,
                        std::initializer_list<std::pair<const char *, const char *>> paths) {
            QJsonObject pagination{{QStringLiteral("type"), QLatin1String(type)}};
            for (const auto &[key, path] : paths)
                pagination.insert(QLatin1String(key), QLatin1String(path));
            return restConfig(pagination);
        };
        const std::map<QString, std::pair<QString, QJsonObject>> configs{
            {QStringLiteral("stripe"),
             {QStringLiteral("stripe"), {{QStringLiteral("api_key"), QStringLiteral("sk_test_fuzz")}}}},
            {QStringLiteral("close"),
             {QStringLiteral("close"), {{QStringLiteral("api_key"), QStringLiteral("api_fuzz")}}}},
            {QStringLiteral("github"),
             {QStringLiteral("github"),
              {{QStringLiteral("access_token"), QStringLiteral("ghp_fuzz")},
               {QStringLiteral("repositories"), QJsonArray{QStringLiteral("o/r")}}}}},
            {QStringLiteral("posthog"),
             {QStringLiteral("posthog"),
              {{QStringLiteral("api_key"), QStringLiteral("phx_fuzz")},
               {QStringLiteral("project_id"), QStringLiteral("1")},
               {QStringLiteral("region"), QStringLiteral("self-hosted")}}}},
            {QStringLiteral("graphql"), {QStringLiteral("graphql"), graphQLConfig()}},
            {QStringLiteral("rest-page"),
             {QStringLiteral("rest"), paged("page", {{"total_pages_path", "meta.pages"}})}},
            {QStringLiteral("rest-offset"),
             {QStringLiteral("rest"), paged("offset", {{"total_path", "meta.total"}})}},
            {QStringLiteral("rest-cursor"),
             {QStringLiteral("rest"),
              paged("cursor", {{"cursor_path", "meta.next"}, {"has_more_path", "meta.more"}})}},
            {QStringLiteral("rest-link"), {QStringLiteral("rest"), paged("link", {})}},
            {QStringLiteral("rest-next-url"),
             {QStringLiteral("rest"), paged("next_url", {{"next_url_path", "links.next"}})}},
        };
        for (const auto &[name, how] : configs) {
            const auto &[id, extra] = how;
            QJsonObject config = extra;
            config.insert(QStringLiteral("base_url"), base);
            config.insert(QStringLiteral("max_retries"), 0);
            config.insert(QStringLiteral("timeout_ms"), 2000);
            std::unique_ptr<BaseConnector> connector = ConnectorRegistry::instance().create(id);
            // The REST and GraphQL connectors' entities come from their config.
            connector->setup(ConnectorRegistry::instance().metadata(id)->forConfig(config), config,
                             CancelToken());
            if (connector->metadata().entities.isEmpty())
                qFatal("fuzz_pages: %s has no entities; its config is wrong", qPrintable(name));
            connectors[name] = std::move(connector);
        }
    }
    server.setBody(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    for (const auto &[id, connector] : connectors) {
        // One entity of each connector an input (the input's size picks which), to keep many inputs a second.
        const QList<EntityInfo> &entities = connector->metadata().entities;
        for (const EntityInfo &entity : {entities.at(qsizetype(size % size_t(entities.size())))}) {
            ResumableFetchOptions options;
            options.entity = entity.name;
            options.maxIterations = 1;
            options.onBatch = [](RecordBatch &&) {};
            try {
                connector->fetchEntityChunk(options);
            } catch (const ConnectorError &) {
            }
        }
    }
    return 0;
}
