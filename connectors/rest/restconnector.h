// The declarative REST engine: syncs any API a RestManifest describes. Each manifest found at start-up is
// registered as its own connector (manifestconnectors.h); the generic "rest" connector takes the manifest
// from its connection's config instead. One instance per job, on the job's worker thread.
#pragma once

#include "connector.h"
#include "restmanifest.h"

#include <memory>

class RestConnector : public BaseConnector
{
public:
    // `manifest` null: the generic "rest" connector, whose manifest is the config's "manifest" setting.
    explicit RestConnector(std::shared_ptr<const RestManifest> manifest = {});

    static ConnectorMetadata genericMetadata();
    // The generic connector's manifest: a file path or the JSON itself. Throws ConnectorError(Config).
    static std::shared_ptr<const RestManifest> manifestFromConfig(const QJsonObject &config);

    TestResult testConnection() override;
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override;

private:
    const RestManifest &manifest();
    QString credential(const QString &field) const;
    QString substitute(const QString &text, bool encodeForPath) const;
    QUrl firstPageUrl(const RestEntity &entity, const FetchState &state, int pageSize,
                      const QJsonValue &since);
    HttpResponse send(QUrl url);
    [[noreturn]] void throwApiError(const HttpResponse &response, const RestEntity *entity);
    QString apiMessage(const QByteArray &body) const;
    QString baseUrlText() const;

    std::shared_ptr<const RestManifest> m_manifest;
};
