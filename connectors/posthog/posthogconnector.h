// PostHog (US cloud, EU cloud or self-hosted): persons, cohorts, feature flags and annotations from the REST
// list endpoints (`next` URL paging) and events through a HogQL query paged with LIMIT/OFFSET.
#pragma once

#include "connector.h"

class PostHogConnector : public BaseConnector
{
public:
    static ConnectorMetadata staticMetadata();

    QStringList validateConfig() const override;
    TestResult testConnection() override;
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override;

    // The host requests go to: the region's cloud host, or base_url for self-hosted (and tests).
    QUrl apiBase() const;

private:
    void prepare();
    QUrl projectUrl(const QString &path) const;
    QUrl followNext(const QString &next) const;
    void throwIfFailed(const HttpResponse &response);

    FetchState fetchList(const ResumableFetchOptions &options, FetchState state, int limit);
    FetchState fetchEvents(const ResumableFetchOptions &options, FetchState state, int limit);

    bool m_prepared = false;
};
