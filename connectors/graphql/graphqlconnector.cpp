#include "graphqlconnector.h"

#include "jsonscan.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace {

QString humanLabel(const QString &name)
{
    QString label = name;
    label.replace(QLatin1Char('_'), QLatin1Char(' '));
    if (!label.isEmpty())
        label[0] = label[0].toUpper();
    return label;
}

// "data.a.b" and "a.b" both mean the path under the response's "data".
QString underData(QString path)
{
    path = path.trimmed();
    if (path == QLatin1String("data"))
        return {};
    if (path.startsWith(QLatin1String("data.")))
        path = path.mid(5);
    return path;
}

bool validPath(const QString &path)
{
    static const QRegularExpression re(QStringLiteral("^[^.\\s\"]+(\\.[^.\\s\"]+)*$"));
    return re.match(path).hasMatch();
}

bool isScalarKey(QByteArrayView raw)
{
    if (raw.isEmpty())
        return false;
    const char c = raw.front();
    return c != '{' && c != '[' && raw != "null" && raw != "\"\"";
}

int compareValues(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    return a.toVariant().toString().compare(b.toVariant().toString());
}

// The entities setting: a JSON array of objects, or that array as text (how a form's text box holds it).
QJsonArray entityArray(const QJsonValue &value, QString *error)
{
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        // A form may have split the JSON text on commas into strings: put it back together.
        bool allStrings = !array.isEmpty();
        for (const QJsonValue &item : array)
            allStrings = allStrings && item.isString();
        if (!allStrings)
            return array;
        QStringList parts;
        for (const QJsonValue &item : array)
            parts.append(item.toString());
        return entityArray(parts.join(QLatin1Char(',')), error);
    }
    if (value.isString()) {
        const QString text = value.toString().trimmed();
        if (text.isEmpty())
            return {};
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
        if (doc.isArray())
            return doc.array();
        if (doc.isObject())
            return QJsonArray{doc.object()};
        *error = QStringLiteral("entities: not a JSON list of entities (%1 at character %2)")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return {};
    }
    if (!value.isUndefined() && !value.isNull())
        *error = QStringLiteral("entities: must be a JSON list of entities");
    return {};
}

} // namespace

ConnectorMetadata GraphQLConnector::staticMetadata()
{
    ConnectorMetadata m;
    m.id = QStringLiteral("graphql");
    m.name = QStringLiteral("GraphQL");
    m.version = QStringLiteral("1.0.0");
    m.description =
        QStringLiteral("Any GraphQL API with Relay-style cursor connections: each entity is a query you "
                       "write, paged with its $after variable and pageInfo { hasNextPage endCursor }.");
    m.iconPath = QStringLiteral(":/connectors/graphql/icon.svg");
    m.documentationUrl = QStringLiteral("https://relay.dev/graphql/connections.htm");

    ConfigSpec common = commonHttpConfigFields(QString());
    for (ConfigField &f : common) {
        if (f.name == QLatin1String("base_url")) {
            f.label = QStringLiteral("Endpoint URL");
            f.required = true;
            f.advanced = false;
            f.defaultValue = QJsonValue();
            f.placeholder = QStringLiteral("https://api.example.com/graphql");
            f.help = QStringLiteral("The URL GraphQL queries are POSTed to.");
        }
    }
    ConfigField token;
    token.name = QStringLiteral("token");
    token.label = QStringLiteral("Bearer token");
    token.type = ConfigField::Type::Secret;
    token.help =
        QStringLiteral("Sent as \"Authorization: Bearer <token>\". Leave empty when the headers below carry "
                       "the credentials, or the API needs none.");
    ConfigField headers;
    headers.name = QStringLiteral("headers");
    headers.label = QStringLiteral("Headers");
    headers.type = ConfigField::Type::Secret;
    headers.placeholder = QStringLiteral("{\"X-Api-Key\": \"…\"}");
    headers.help =
        QStringLiteral("Extra request headers, kept as a secret: a JSON object, or one \"Name: value\" per "
                       "line.");
    ConfigField entities;
    entities.name = QStringLiteral("entities");
    entities.label = QStringLiteral("Entities");
    entities.type = ConfigField::Type::List;
    entities.required = true;
    entities.placeholder =
        QStringLiteral("[{\"name\": \"issues\", \"query\": \"…\", \"records\": \"…nodes\"}]");
    entities.help =
        QStringLiteral("A JSON list: per entity a name, a query with an $after cursor variable, the path "
                       "of its records and, when not beside them, of its pageInfo. See the connector's "
                       "README.");
    m.config = {common.takeFirst(), token, headers, entities};
    m.config += common;
    m.configEntities = [](const QJsonObject &config, QString *error) {
        QStringList errors;
        QList<EntityInfo> infos;
        for (const GraphQLEntity &e : entitiesFromConfig(config, &errors)) {
            EntityInfo info;
            info.name = e.name;
            info.label = e.label;
            info.primaryKey = e.primaryKey.join(QLatin1Char(','));
            info.incremental = e.incremental;
            info.cursorField = e.cursorField;
            info.description = QStringLiteral("GraphQL query, records at data.%1").arg(e.recordsPath);
            infos.append(info);
        }
        if (error)
            *error = errors.join(QStringLiteral("; "));
        return infos;
    };
    return m;
}

QList<GraphQLEntity> GraphQLConnector::entitiesFromConfig(const QJsonObject &config, QStringList *errors)
{
    QString error;
    const QJsonArray array = entityArray(config.value(QStringLiteral("entities")), &error);
    if (!error.isEmpty())
        errors->append(error);
    static const QRegularExpression nameRe(QStringLiteral("^[a-z][a-z0-9_]{0,62}$"));
    static const QRegularExpression variableRe(QStringLiteral("^[_A-Za-z][_0-9A-Za-z]*$"));
    QList<GraphQLEntity> list;
    for (int i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("entities[%1]").arg(i);
        if (!array.at(i).isObject()) {
            errors->append(where + QStringLiteral(": must be an object with name, query and records"));
            continue;
        }
        const QJsonObject o = array.at(i).toObject();
        static const QStringList known{
            QStringLiteral("name"),        QStringLiteral("label"),     QStringLiteral("query"),
            QStringLiteral("records"),     QStringLiteral("page_info"), QStringLiteral("node"),
            QStringLiteral("primary_key"), QStringLiteral("variables"), QStringLiteral("page_size_variable"),
            QStringLiteral("incremental")};
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!known.contains(it.key()))
                errors->append(QStringLiteral("%1.%2: unknown field; expected one of %3")
                                   .arg(where, it.key(), known.join(QStringLiteral(", "))));
        }
        GraphQLEntity e;
        e.name = o.value(QStringLiteral("name")).toString().trimmed();
        if (!nameRe.match(e.name).hasMatch())
            errors->append(
                QStringLiteral("%1.name: \"%2\" must start with a letter and hold only lower case letters, "
                               "digits and _")
                    .arg(where, e.name));
        for (const GraphQLEntity &other : std::as_const(list)) {
            if (other.name == e.name)
                errors->append(QStringLiteral("%1.name: \"%2\" is defined twice").arg(where, e.name));
        }
        e.label = o.value(QStringLiteral("label")).toString(humanLabel(e.name));
        e.query = o.value(QStringLiteral("query")).toString();
        if (e.query.trimmed().isEmpty())
            errors->append(where + QStringLiteral(".query: required"));
        else if (!e.query.contains(QLatin1String("$after")))
            errors->append(
                where + QStringLiteral(".query: must declare and use the $after cursor variable, as in "
                                       "query($after: String) { items(first: 100, after: $after) { … } }"));
        e.recordsPath = underData(o.value(QStringLiteral("records")).toString());
        if (!validPath(e.recordsPath))
            errors->append(where +
                           QStringLiteral(".records: required: the path of the records list under data, "
                                          "such as repository.issues.nodes"));
        const QString pageInfo = o.value(QStringLiteral("page_info")).toString();
        if (!pageInfo.isEmpty()) {
            e.pageInfoPath = underData(pageInfo);
        } else {
            const qsizetype dot = e.recordsPath.lastIndexOf(QLatin1Char('.'));
            e.pageInfoPath =
                dot < 0 ? QStringLiteral("pageInfo") : e.recordsPath.left(dot) + QStringLiteral(".pageInfo");
        }
        if (!validPath(e.pageInfoPath))
            errors->append(where + QStringLiteral(".page_info: not a dotted path"));
        e.node = o.value(QStringLiteral("node")).toString().trimmed();
        if (!e.node.isEmpty() && !validPath(e.node))
            errors->append(where + QStringLiteral(".node: not a dotted path"));
        const QJsonValue key = o.value(QStringLiteral("primary_key"));
        if (key.isArray()) {
            for (const QJsonValue &part : key.toArray())
                e.primaryKey.append(part.toString());
        } else {
            e.primaryKey.append(key.toString(QStringLiteral("id")));
        }
        for (const QString &part : std::as_const(e.primaryKey)) {
            if (!validPath(part))
                errors->append(where + QStringLiteral(".primary_key: \"%1\" is not a field path").arg(part));
        }
        const QJsonValue variables = o.value(QStringLiteral("variables"));
        if (!variables.isUndefined() && !variables.isObject())
            errors->append(where + QStringLiteral(".variables: must be an object"));
        e.variables = variables.toObject();
        e.sizeVariable = o.value(QStringLiteral("page_size_variable")).toString(e.sizeVariable);
        const QJsonValue incremental = o.value(QStringLiteral("incremental"));
        if (incremental.isObject()) {
            const QJsonObject inc = incremental.toObject();
            e.hasIncremental = true;
            e.cursorField = inc.value(QStringLiteral("cursor_field")).toString();
            e.sinceVariable = inc.value(QStringLiteral("variable")).toString();
            if (!validPath(e.cursorField))
                errors->append(where +
                               QStringLiteral(".incremental.cursor_field: required: the record field to "
                                              "follow, such as updatedAt"));
            if (!e.sinceVariable.isEmpty() && !variableRe.match(e.sinceVariable).hasMatch())
                errors->append(where + QStringLiteral(".incremental.variable: not a GraphQL variable name"));
            else if (!e.sinceVariable.isEmpty() && !e.query.contains(QLatin1Char('$') + e.sinceVariable))
                errors->append(
                    where +
                    QStringLiteral(".incremental.variable: the query does not use $%1").arg(e.sinceVariable));
            const QString mode = inc.value(QStringLiteral("mode"))
                                     .toString(e.sinceVariable.isEmpty() ? QStringLiteral("client-filter")
                                                                         : QStringLiteral("native"));
            if (mode == QLatin1String("native"))
                e.incremental = IncrementalMode::Native;
            else if (mode == QLatin1String("created-only"))
                e.incremental = IncrementalMode::CreatedOnly;
            else if (mode == QLatin1String("client-filter"))
                e.incremental = IncrementalMode::ClientFilter;
            else
                errors->append(
                    where + QStringLiteral(".incremental.mode: use native, created-only or client-filter"));
            if (e.sinceVariable.isEmpty() && e.incremental != IncrementalMode::ClientFilter)
                errors->append(
                    where + QStringLiteral(".incremental.variable: required unless mode is client-filter"));
        } else if (!incremental.isUndefined() && !incremental.isNull()) {
            errors->append(where +
                           QStringLiteral(".incremental: must be an object with cursor_field and variable"));
        }
        list.append(e);
    }
    return list;
}

QList<QPair<QByteArray, QByteArray>> GraphQLConnector::parseHeaders(const QString &text, QString *error)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return headers;
    static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    if (trimmed.startsWith(QLatin1Char('{'))) {
        // Never quote the text in an error: it is a secret.
        const QJsonDocument doc = QJsonDocument::fromJson(trimmed.toUtf8());
        if (!doc.isObject()) {
            *error = QStringLiteral("headers: not a valid JSON object");
            return {};
        }
        const QJsonObject object = doc.object();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!it.value().isString() || !token.match(it.key()).hasMatch()) {
                *error =
                    QStringLiteral("headers: \"%1\" must be a header name with a text value").arg(it.key());
                return {};
            }
            headers.append({it.key().toUtf8(), it.value().toString().toUtf8()});
        }
        return headers;
    }
    int lineNumber = 0;
    for (const QString &line : trimmed.split(QLatin1Char('\n'))) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        const QString name = colon > 0 ? line.left(colon).trimmed() : QString();
        if (!token.match(name).hasMatch()) {
            *error = QStringLiteral("headers: line %1 is not \"Name: value\"").arg(lineNumber);
            return {};
        }
        headers.append({name.toUtf8(), line.mid(colon + 1).trimmed().toUtf8()});
    }
    return headers;
}

QStringList GraphQLConnector::validateConfig() const
{
    QStringList problems = BaseConnector::validateConfig();
    entitiesFromConfig(config(), &problems);
    QString error;
    parseHeaders(config().value(QStringLiteral("headers")).toString(), &error);
    if (!error.isEmpty())
        problems.append(error);
    return problems;
}

QList<QPair<QByteArray, QByteArray>> GraphQLConnector::headers()
{
    if (!m_headersParsed) {
        QString error;
        m_headers = parseHeaders(config().value(QStringLiteral("headers")).toString(), &error);
        if (!error.isEmpty())
            throw ConnectorError(error, ConnectorError::Kind::Config);
        for (const auto &header : std::as_const(m_headers))
            http().addSecret(QString::fromUtf8(header.second)); // each value, not only the whole setting
        const QString token = configString(QStringLiteral("token"));
        if (!token.isEmpty())
            m_headers.prepend({"Authorization", "Bearer " + token.toUtf8()});
        m_headersParsed = true;
    }
    return m_headers;
}

// POSTs one GraphQL operation. Returns a body that is a JSON object with a non-null "data" and no "errors";
// anything else is thrown as a clear error.
QByteArray GraphQLConnector::post(const QString &query, const QJsonObject &variables, QString *shownUrl)
{
    HttpRequest request;
    request.method = "POST";
    request.url = baseUrl();
    request.headers = headers();
    request.headers.append(HttpHeader("Content-Type", "application/json"));
    QJsonObject payload{{QStringLiteral("query"), query}};
    if (!variables.isEmpty())
        payload.insert(QStringLiteral("variables"), variables);
    request.body = QJsonDocument(payload).toJson(QJsonDocument::Compact);
    const HttpResponse response = http().send(request);
    *shownUrl = response.url.toString();

    // GraphQL errors: [{"message": "...", "path": [...], "extensions": {"code": "..."}}], on 200 or 4xx. Only
    // that member is parsed; the page itself is scanned, never parsed whole.
    const qsizetype end = JsonScan::skipValue(response.body, 0);
    const QByteArrayView body(response.body);
    const bool wellFormed = end > 0 && body.trimmed().startsWith('{') && body.sliced(end).trimmed().isEmpty();
    const QByteArrayView errorsRaw =
        wellFormed ? JsonScan::member(response.body, "errors") : QByteArrayView();
    QStringList messages;
    bool authError = false;
    const QJsonArray errorArray =
        errorsRaw.startsWith('[') ? QJsonDocument::fromJson(errorsRaw.toByteArray()).array() : QJsonArray();
    for (const QJsonValue &error : errorArray) {
        const QJsonObject e = error.toObject();
        QString message = e.value(QStringLiteral("message")).toString(QStringLiteral("(no message)"));
        QStringList path;
        for (const QJsonValue &part : e.value(QStringLiteral("path")).toArray())
            path.append(part.toVariant().toString());
        if (!path.isEmpty())
            message += QStringLiteral(" (at %1)").arg(path.join(QLatin1Char('.')));
        const QString code =
            e.value(QStringLiteral("extensions")).toObject().value(QStringLiteral("code")).toString() +
            e.value(QStringLiteral("type")).toString();
        authError = authError || code.contains(QLatin1String("UNAUTHENTICATED")) ||
                    code.contains(QLatin1String("FORBIDDEN"));
        messages.append(message);
    }
    const QString errors = http().redact(messages.mid(0, 5).join(QStringLiteral("; ")));
    if (!response.ok()) {
        const QString where = http().failureMessage(response, errors);
        if (response.status == 401 || response.status == 403 || authError)
            throw ConnectorError(
                QStringLiteral("Invalid credentials: the GraphQL endpoint refused them (%1). Check "
                               "the token or headers in the connection's settings.")
                    .arg(where),
                ConnectorError::Kind::Auth);
        if (response.status == 0)
            throw ConnectorError(
                QStringLiteral("Cannot reach the GraphQL endpoint: %1. Check the URL and your "
                               "network.")
                    .arg(where),
                ConnectorError::Kind::Network);
        if (response.status == 429)
            throw ConnectorError(
                QStringLiteral("The GraphQL endpoint kept rate-limiting the sync (%1). Raise \"Delay "
                               "between requests\" under Advanced, then sync again: it resumes.")
                    .arg(where),
                ConnectorError::Kind::RateLimit);
        throw ConnectorError(QStringLiteral("The GraphQL endpoint failed (%1)").arg(where),
                             ConnectorError::Kind::Api);
    }
    if (authError)
        throw ConnectorError(
            QStringLiteral("Invalid credentials: the GraphQL endpoint refused them (%1: %2). Check "
                           "the token or headers in the connection's settings.")
                .arg(*shownUrl, errors),
            ConnectorError::Kind::Auth);
    if (!messages.isEmpty())
        throw ConnectorError(QStringLiteral("GraphQL errors from %1: %2%3")
                                 .arg(*shownUrl, errors,
                                      messages.size() > 5
                                          ? QStringLiteral(" (and %1 more)").arg(messages.size() - 5)
                                          : QString()),
                             ConnectorError::Kind::Api);
    if (!wellFormed)
        throw ConnectorError(
            QStringLiteral("The GraphQL endpoint sent a response that is not a JSON object from %1. "
                           "Nothing from it was saved; sync again to retry.")
                .arg(*shownUrl),
            ConnectorError::Kind::Malformed);
    if (!JsonScan::member(response.body, "data").startsWith('{'))
        throw ConnectorError(
            QStringLiteral("The GraphQL response from %1 has no \"data\" object").arg(*shownUrl),
            ConnectorError::Kind::Malformed);
    return response.body;
}

TestResult GraphQLConnector::testConnection()
{
    return failuresAsResult([&] {
        TestResult result;
        QString url;
        const QByteArray body = post(QStringLiteral("query { __typename }"), {}, &url);
        const QString type = JsonScan::toValue(JsonScan::member(body, "data.__typename")).toString();
        result.success = true;
        result.message = QStringLiteral("Connected to the GraphQL endpoint at %1%2")
                             .arg(baseUrl().host(),
                                  type.isEmpty() ? QString() : QStringLiteral(" (root type %1)").arg(type));
        return result;
    });
}

FetchState GraphQLConnector::fetchEntityChunk(const ResumableFetchOptions &options)
{
    QStringList problems;
    const QList<GraphQLEntity> entities = entitiesFromConfig(config(), &problems);
    if (!problems.isEmpty())
        throw ConnectorError(problems.join(QStringLiteral("; ")), ConnectorError::Kind::Config);
    const GraphQLEntity *entity = nullptr;
    for (const GraphQLEntity &e : entities) {
        if (e.name == options.entity)
            entity = &e;
    }
    if (!entity)
        throw ConnectorError(
            QStringLiteral("No GraphQL entity \"%1\" in this connection's settings").arg(options.entity),
            ConnectorError::Kind::Config);
    const bool clientFilter = entity->hasIncremental &&
                              entity->incremental == IncrementalMode::ClientFilter &&
                              !options.since.isNull() && !options.since.isUndefined();
    const QByteArray recordsPath = "data." + entity->recordsPath.toUtf8();
    const QByteArray pageInfoPath = "data." + entity->pageInfoPath.toUtf8();
    const QByteArray nodePath = entity->node.toUtf8();
    const QByteArray cursorField = entity->cursorField.toUtf8();

    FetchState state = options.state;
    while (state.hasMore && state.iterationsInChunk < options.maxIterations) {
        throwIfCancelled();
        QJsonObject variables = entity->variables;
        variables.insert(QStringLiteral("after"),
                         state.cursor.isEmpty() ? QJsonValue() : QJsonValue(state.cursor));
        if (!entity->sizeVariable.isEmpty() &&
            entity->query.contains(QLatin1Char('$') + entity->sizeVariable))
            variables.insert(entity->sizeVariable, qMax(1, options.batchSize));
        if (!entity->sinceVariable.isEmpty() && !options.since.isNull() && !options.since.isUndefined())
            variables.insert(entity->sinceVariable, options.since);
        QString url;
        const QByteArray body = post(entity->query, variables, &url);

        auto malformed = [&](const QString &what) {
            return ConnectorError(
                QStringLiteral("The GraphQL response for %1 from %2 does not match its settings: %3. "
                               "Nothing from it was saved.")
                    .arg(entity->name, url, what),
                ConnectorError::Kind::Malformed);
        };
        JsonScan::Result scan;
        const QByteArrayView records = JsonScan::member(body, recordsPath, &scan);
        if (records.isEmpty() || records.front() != '[')
            throw malformed(QStringLiteral("no records list at data.%1").arg(entity->recordsPath));
        const QList<QByteArrayView> items = JsonScan::elements(records, &scan);
        if (!scan.ok)
            throw malformed(scan.error);
        const QByteArrayView pageInfo = JsonScan::member(body, pageInfoPath);
        const QByteArrayView hasNext =
            pageInfo.isEmpty() ? QByteArrayView() : JsonScan::member(pageInfo, "hasNextPage");
        const QByteArrayView endCursor =
            pageInfo.isEmpty() ? QByteArrayView() : JsonScan::member(pageInfo, "endCursor");
        if (hasNext != "true" && hasNext != "false")
            throw malformed(
                QStringLiteral("no pageInfo { hasNextPage } at data.%1; add pageInfo { hasNextPage "
                               "endCursor } to the query")
                    .arg(entity->pageInfoPath));
        const QString nextCursor =
            isScalarKey(endCursor) ? QString::fromUtf8(JsonScan::keyText(endCursor)) : QString();
        if (hasNext == "true" && nextCursor.isEmpty())
            throw malformed(QStringLiteral("hasNextPage is true but there is no endCursor at data.%1")
                                .arg(entity->pageInfoPath));

        RecordBatch batch;
        batch.reserve(items.size());
        QJsonValue highWater = state.highWater;
        int index = 0;
        for (QByteArrayView item : items) {
            ++index;
            if (!nodePath.isEmpty())
                item = JsonScan::member(item, nodePath);
            if (item.isEmpty() || item.front() != '{')
                throw malformed(QStringLiteral("record %1 is not an object%2")
                                    .arg(index)
                                    .arg(nodePath.isEmpty()
                                             ? QString()
                                             : QStringLiteral(" at \"%1\"").arg(entity->node)));
            QByteArray key;
            for (const QString &part : entity->primaryKey) {
                const QByteArrayView raw = JsonScan::member(item, part.toUtf8());
                if (!isScalarKey(raw))
                    throw malformed(
                        QStringLiteral("record %1 has no \"%2\"; select it in the query or set primary_key")
                            .arg(index)
                            .arg(part));
                if (!key.isEmpty())
                    key += '|';
                key += JsonScan::keyText(raw);
            }
            if (!cursorField.isEmpty()) {
                const QJsonValue value = JsonScan::toValue(JsonScan::member(item, cursorField));
                if (value.isDouble() || (value.isString() && !value.toString().isEmpty())) {
                    if (highWater.isNull() || highWater.isUndefined() || compareValues(value, highWater) > 0)
                        highWater = value;
                    if (clientFilter && compareValues(value, options.since) < 0)
                        continue;
                }
            }
            batch.append(Record{key, item.toByteArray()});
        }
        if (!highWater.isNull() && !highWater.isUndefined())
            state.highWater = highWater;
        bool more = hasNext == "true";
        if (more && nextCursor == state.cursor) {
            if (options.onLog)
                options.onLog(
                    LogLevel::Warning,
                    QStringLiteral("The endpoint returned the same endCursor twice for %1; stopping there")
                        .arg(entity->name));
            more = false;
        }
        state.cursor = nextCursor;
        state.hasMore = more;
        state.totalProcessed += batch.size();
        ++state.page;
        ++state.iterationsInChunk;
        if (options.onBatch)
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, state.total);
    }
    return state;
}
