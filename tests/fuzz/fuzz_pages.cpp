// libFuzzer: every HTTP connector's page parser. A server on 127.0.0.1 answers every request with the input
// as a 200 body; each connector fetches one page of one of its entities from it.
#include "connectorregistry.h"
#include "fakehttpserver.h"
#include "fuzzapp.h"

#include <QJsonArray>
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
        const std::map<QString, QJsonObject> configs{
            {QStringLiteral("stripe"), {{QStringLiteral("api_key"), QStringLiteral("sk_test_fuzz")}}},
            {QStringLiteral("close"), {{QStringLiteral("api_key"), QStringLiteral("api_fuzz")}}},
            {QStringLiteral("github"),
             {{QStringLiteral("access_token"), QStringLiteral("ghp_fuzz")},
              {QStringLiteral("repositories"), QJsonArray{QStringLiteral("o/r")}}}},
            {QStringLiteral("posthog"),
             {{QStringLiteral("api_key"), QStringLiteral("phx_fuzz")},
              {QStringLiteral("project_id"), QStringLiteral("1")},
              {QStringLiteral("region"), QStringLiteral("self-hosted")}}},
        };
        for (const auto &[id, extra] : configs) {
            QJsonObject config = extra;
            config.insert(QStringLiteral("base_url"), base);
            config.insert(QStringLiteral("max_retries"), 0);
            config.insert(QStringLiteral("timeout_ms"), 2000);
            std::unique_ptr<BaseConnector> connector = ConnectorRegistry::instance().create(id);
            connector->setup(*ConnectorRegistry::instance().metadata(id), config, CancelToken());
            connectors[id] = std::move(connector);
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
