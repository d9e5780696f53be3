// Close (close.com) CRM: leads, contacts, opportunities, activities, tasks and users over the REST API v1,
// paginated with _skip/_limit and has_more, in date_created windows past Close's _skip limit.
#pragma once

#include "connector.h"

class CloseConnector : public BaseConnector
{
public:
    static ConnectorMetadata staticMetadata();

    TestResult testConnection() override;
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override;

private:
    void prepare();
    QUrl pageUrl(const QString &entity, qint64 skip, int limit, const QJsonValue &since,
                 const QString &windowFrom) const;

    // Turns a failed response into a ConnectorError people can read; returns on success.
    void throwIfFailed(const HttpResponse &response);

    bool m_prepared = false;
};
