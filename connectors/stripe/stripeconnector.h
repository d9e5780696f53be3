// Stripe: the REST list API (GET /v1/<entity>, limit + starting_after, has_more) with a secret key.
#pragma once

#include "connector.h"

class StripeConnector : public BaseConnector
{
public:
    static ConnectorMetadata staticMetadata();

    TestResult testConnection() override;
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override;

private:
    HttpResponse get(const QString &path, const QList<QPair<QString, QString>> &query = {});
    [[noreturn]] void throwApiError(const HttpResponse &response);
};
