// GraphQL: any endpoint with Relay-style connections. Each connection defines its entities in its config
// (a query with an $after cursor variable, the path of the records and of pageInfo { hasNextPage endCursor
// }), so the registry lists none up front and ConnectorMetadata::configEntities turns the config into
// entities.
#pragma once

#include "connector.h"

#include <QJsonObject>

struct GraphQLEntity
{
    QString name;
    QString label;
    QString query;
    QString recordsPath;    // under "data": "repository.issues.nodes" (or ".edges" with node = "node")
    QString pageInfoPath;   // under "data"; default: the records path's parent + ".pageInfo"
    QString node;           // member of each element holding the record ("node" for edges); empty: itself
    QStringList primaryKey; // dotted paths in the record; default "id"
    QJsonObject variables;  // fixed variables sent with every page
    QString sizeVariable = QStringLiteral("first");
    bool hasIncremental = false;
    QString cursorField;   // record field whose largest value is remembered
    QString sinceVariable; // variable that receives it on the next run; empty: client-filter
    IncrementalMode incremental = IncrementalMode::None;
};

class GraphQLConnector : public BaseConnector
{
public:
    static ConnectorMetadata staticMetadata();
    // The entities a config defines; problems as "entities[1].query: required" lines in `errors`.
    static QList<GraphQLEntity> entitiesFromConfig(const QJsonObject &config, QStringList *errors);
    // The "headers" setting: a JSON object, or "Name: value" lines.
    static QList<QPair<QByteArray, QByteArray>> parseHeaders(const QString &text, QString *error);

    QStringList validateConfig() const override;
    TestResult testConnection() override;
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override;

private:
    QByteArray post(const QString &query, const QJsonObject &variables, QString *shownUrl);
    QList<QPair<QByteArray, QByteArray>> headers();

    bool m_headersParsed = false;
    QList<QPair<QByteArray, QByteArray>> m_headers;
};
