#include "restconnector.h"

#include "jsonscan.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

namespace {

QByteArray encodeQuery(const QList<QPair<QString, QString>> &items)
{
    QByteArray query;
    for (const auto &item : items) {
        if (!query.isEmpty())
            query += '&';
        // Every reserved character is escaped: '+' in an ISO timestamp must not turn into a space.
        query += QUrl::toPercentEncoding(item.first) + '=' + QUrl::toPercentEncoding(item.second);
    }
    return query;
}

// The query items of `url` except `name`, as sent.
QList<QByteArray> otherQueryParts(const QUrl &url, const QString &name)
{
    QList<QByteArray> parts;
    const QByteArray query = url.query(QUrl::FullyEncoded).toLatin1();
    for (const QByteArray &part : query.split('&')) {
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        QByteArray key = eq < 0 ? part : part.left(eq);
        key.replace('+', ' ');
        if (QUrl::fromPercentEncoding(key) != name)
            parts.append(part);
    }
    return parts;
}

void setQueryItem(QUrl &url, const QString &name, const QString &value)
{
    QList<QByteArray> parts = otherQueryParts(url, name);
    parts.append(QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value));
    url.setQuery(QString::fromLatin1(parts.join('&')), QUrl::StrictMode);
}

void removeQueryItem(QUrl &url, const QString &name)
{
    const QList<QByteArray> parts = otherQueryParts(url, name);
    if (parts.isEmpty())
        url.setQuery(QString());
    else
        url.setQuery(QString::fromLatin1(parts.join('&')), QUrl::StrictMode);
}

// The rel="next" target of an RFC 8288 Link header: `<https://…?page=2>; rel="next", <…>; rel="last"`.
QString nextLink(const QByteArray &header)
{
    static const QRegularExpression link(
        QStringLiteral("<([^>]*)>((?:\\s*;\\s*[^;,]+(?:=(?:\"[^\"]*\"|[^;,]*))?)*)"));
    static const QRegularExpression rel(QStringLiteral("(?:^|;)\\s*rel\\s*=\\s*(?:\"([^\"]*)\"|([^;,\\s]*))"),
                                        QRegularExpression::CaseInsensitiveOption);
    auto it = link.globalMatch(QString::fromUtf8(header));
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        const QRegularExpressionMatch relMatch = rel.match(match.captured(2));
        if (!relMatch.hasMatch())
            continue;
        const QString rels = relMatch.captured(1).isEmpty() ? relMatch.captured(2) : relMatch.captured(1);
        if (rels.split(QLatin1Char(' '), Qt::SkipEmptyParts)
                .contains(QLatin1String("next"), Qt::CaseInsensitive))
            return match.captured(1).trimmed();
    }
    return {};
}

// Orders two cursor values: numbers numerically, anything else as text (ISO 8601 dates sort as text).
int compareValues(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    const QString x = a.isDouble() ? QString::number(a.toDouble(), 'g', 17) : a.toString();
    const QString y = b.isDouble() ? QString::number(b.toDouble(), 'g', 17) : b.toString();
    return x.compare(y);
}

QString valueText(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double d = value.toDouble();
        return d == double(qint64(d)) ? QString::number(qint64(d)) : QString::number(d, 'g', 17);
    }
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return value.toString();
}

bool isScalarKey(QByteArrayView raw)
{
    if (raw.isEmpty())
        return false;
    const char c = raw.front();
    return c != '{' && c != '[' && raw != "null" && raw != "\"\"";
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 &&
           a.port(a.scheme() == QLatin1String("https") ? 443 : 80) ==
               b.port(b.scheme() == QLatin1String("https") ? 443 : 80);
}

QString malformedSuffix()
{
    return QStringLiteral(" Nothing from this page was saved; fix the manifest or sync again to retry it.");
}

} // namespace

RestConnector::RestConnector(std::shared_ptr<const RestManifest> manifest)
    : m_manifest(std::move(manifest))
{
}

ConnectorMetadata RestConnector::genericMetadata()
{
    ConnectorMetadata m;
    m.id = QStringLiteral("rest");
    m.name = QStringLiteral("REST API (manifest)");
    m.version = QStringLiteral("1.0.0");
    m.description =
        QStringLiteral("Any REST API described by a declarative JSON manifest: base URL, auth, entities, "
                       "pagination and incremental cursor. Point it at a manifest file, or paste one.");
    m.iconPath = QStringLiteral(":/connectors/rest/icon.svg");
    m.documentationUrl = QStringLiteral("connectors/rest/README.md");

    ConfigField manifest;
    manifest.name = QStringLiteral("manifest");
    manifest.label = QStringLiteral("Manifest");
    manifest.required = true;
    manifest.placeholder = QStringLiteral("/path/to/api.json");
    manifest.help =
        QStringLiteral("The path of a manifest file, or the manifest's JSON itself. Manifests placed in "
                       "the connectors folder also appear as connectors of their own.");
    auto secret = [](const QString &name, const QString &label, const QString &help) {
        ConfigField f;
        f.name = name;
        f.label = label;
        f.type = ConfigField::Type::Secret;
        f.help = help;
        return f;
    };
    ConfigField username;
    username.name = QStringLiteral("username");
    username.label = QStringLiteral("User name");
    username.help = QStringLiteral("For manifests with \"basic\" auth.");
    m.config = {manifest,
                secret(QStringLiteral("token"), QStringLiteral("Access token"),
                       QStringLiteral("For manifests with \"bearer\" auth.")),
                secret(QStringLiteral("api_key"), QStringLiteral("API key"),
                       QStringLiteral("For manifests with \"api_key\" auth.")),
                username,
                secret(QStringLiteral("password"), QStringLiteral("Password"),
                       QStringLiteral("For manifests with \"basic\" auth."))};
    ConfigSpec common = commonHttpConfigFields(QString());
    for (ConfigField &f : common) {
        if (f.name == QLatin1String("base_url")) {
            f.defaultValue = QJsonValue();
            f.help = QStringLiteral("Leave empty to use the manifest's base_url.");
        }
    }
    m.config += common;
    // The entities are the manifest's: they depend on the connection's config.
    m.configEntities = [](const QJsonObject &config, QString *error) {
        try {
            return manifestFromConfig(config)->metadata().entities;
        } catch (const ConnectorError &e) {
            if (error)
                *error = e.message();
        }
        return QList<EntityInfo>();
    };
    return m;
}

std::shared_ptr<const RestManifest> RestConnector::manifestFromConfig(const QJsonObject &config)
{
    const QString value = config.value(QStringLiteral("manifest")).toString().trimmed();
    if (value.isEmpty())
        throw ConnectorError(QStringLiteral("manifest: required (the path of a manifest file, or its JSON)"),
                             ConnectorError::Kind::Config);
    QByteArray json;
    QString source = QStringLiteral("manifest");
    if (value.startsWith(QLatin1Char('{'))) {
        json = value.toUtf8();
    } else {
        QString path = value;
        if (path.startsWith(QLatin1String("~/")))
            path = QDir::homePath() + path.mid(1);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            throw ConnectorError(
                QStringLiteral("manifest: cannot read %1 (%2)").arg(path, file.errorString()),
                ConnectorError::Kind::Config);
        json = file.read(4 * 1024 * 1024);
        source = QFileInfo(path).absoluteFilePath();
    }
    QStringList errors;
    auto manifest = parseRestManifest(json, source, &errors, false);
    if (!manifest)
        throw ConnectorError(errors.join(QStringLiteral("; ")), ConnectorError::Kind::Config);
    return manifest;
}

const RestManifest &RestConnector::manifest()
{
    if (!m_manifest)
        m_manifest = manifestFromConfig(config());
    return *m_manifest;
}

QString RestConnector::credential(const QString &field) const
{
    return config().value(field).toString();
}

QString RestConnector::baseUrlText() const
{
    QString text = configString(QStringLiteral("base_url")).trimmed();
    if (text.isEmpty() && m_manifest)
        text = m_manifest->baseUrl;
    while (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    return text;
}

// Replaces {setting} placeholders with the connection's values.
QString RestConnector::substitute(const QString &text, bool encodeForPath) const
{
    if (!text.contains(QLatin1Char('{')))
        return text;
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]*)\\}"));
    QString result;
    qsizetype last = 0;
    auto it = placeholder.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        result += text.mid(last, match.capturedStart() - last);
        const QString value = configString(match.captured(1));
        result += encodeForPath ? QString::fromLatin1(QUrl::toPercentEncoding(value)) : value;
        last = match.capturedEnd();
    }
    result += text.mid(last);
    return result;
}

QUrl RestConnector::firstPageUrl(const RestEntity &entity, const FetchState &state, int pageSize,
                                 const QJsonValue &since)
{
    QUrl url(baseUrlText() + substitute(entity.path, true), QUrl::StrictMode);
    QList<QPair<QString, QString>> query;
    for (const auto &param : entity.params)
        query.append({param.first, substitute(param.second, false)});
    const RestPagination &p = entity.pagination;
    auto setParam = [&query](const QString &name, const QString &value) {
        for (auto &item : query) {
            if (item.first == name) {
                item.second = value;
                return;
            }
        }
        query.append({name, value});
    };
    if (!p.sizeParam.isEmpty() && p.type != RestPagination::Type::None)
        setParam(p.sizeParam, QString::number(pageSize));
    switch (p.type) {
    case RestPagination::Type::Page:
        setParam(p.pageParam, QString::number(p.startPage + state.page));
        break;
    case RestPagination::Type::Offset:
        setParam(p.offsetParam, QString::number(state.offset));
        break;
    case RestPagination::Type::Cursor:
        if (!state.cursor.isEmpty())
            setParam(p.cursorParam, state.cursor);
        break;
    default:
        break;
    }
    if (entity.hasIncremental && !entity.incremental.param.isEmpty() && !since.isNull() &&
        !since.isUndefined())
        setParam(entity.incremental.param, valueText(since));
    if (!query.isEmpty())
        url.setQuery(QString::fromLatin1(encodeQuery(query)), QUrl::StrictMode);
    return url;
}

HttpResponse RestConnector::send(QUrl url)
{
    const RestManifest &m = manifest();
    HttpRequest request;
    for (const auto &header : m.headers)
        request.headers.append({header.first, substitute(QString::fromUtf8(header.second), false).toUtf8()});
    switch (m.auth.type) {
    case RestAuth::Type::None:
        break;
    case RestAuth::Type::Bearer: {
        const QString token = credential(QStringLiteral("token"));
        if (!token.isEmpty())
            request.headers.append({m.auth.name.toUtf8(), (m.auth.prefix + token).toUtf8()});
        break;
    }
    case RestAuth::Type::Basic: {
        const QString user = credential(QStringLiteral("username"));
        if (!user.isEmpty())
            request.headers.append(
                {"Authorization",
                 "Basic " +
                     (user + QLatin1Char(':') + credential(QStringLiteral("password"))).toUtf8().toBase64()});
        break;
    }
    case RestAuth::Type::ApiKey: {
        const QString key = credential(QStringLiteral("api_key"));
        if (key.isEmpty())
            break;
        if (m.auth.inQuery)
            setQueryItem(url, m.auth.name, m.auth.prefix + key);
        else
            request.headers.append({m.auth.name.toUtf8(), (m.auth.prefix + key).toUtf8()});
        break;
    }
    }
    request.url = url;
    return http().send(request);
}

QString RestConnector::apiMessage(const QByteArray &body) const
{
    if (body.isEmpty() || body.size() > 256 * 1024)
        return {};
    if (m_manifest && !m_manifest->errorMessagePath.isEmpty()) {
        const QJsonValue value =
            JsonScan::toValue(JsonScan::member(body, m_manifest->errorMessagePath.toUtf8()));
        if (value.isString())
            return value.toString();
    }
    // The usual shapes: {"message"}, {"error": "…"|{"message"}}, {"detail"}, {"errors": [{"message"}|"…"]}.
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    for (const QString &key : {QStringLiteral("message"), QStringLiteral("error_description"),
                               QStringLiteral("detail"), QStringLiteral("error"), QStringLiteral("title")}) {
        const QJsonValue value = object.value(key);
        if (value.isString() && !value.toString().isEmpty())
            return value.toString();
        if (value.isObject() && value.toObject().value(QStringLiteral("message")).isString())
            return value.toObject().value(QStringLiteral("message")).toString();
    }
    const QJsonArray errors = object.value(QStringLiteral("errors")).toArray();
    if (!errors.isEmpty()) {
        const QJsonValue first = errors.first();
        return first.isString() ? first.toString()
                                : first.toObject().value(QStringLiteral("message")).toString();
    }
    return {};
}

void RestConnector::throwApiError(const HttpResponse &response, const RestEntity *entity)
{
    const RestManifest &m = manifest();
    const QString message = apiMessage(response.body);
    const QString where = http().failureMessage(response, message);
    const QString name = m.name;
    switch (response.status) {
    case 0:
        throw ConnectorError(
            QStringLiteral("Cannot reach %1: %2. Check the base URL and your network.").arg(name, where),
            ConnectorError::Kind::Network);
    case 401:
    case 403: {
        QString what;
        switch (m.auth.type) {
        case RestAuth::Type::None:
            what = QStringLiteral(
                "The manifest declares no auth, but the API asks for it: add an \"auth\" section.");
            break;
        case RestAuth::Type::Bearer:
            what = QStringLiteral("Check the access token in the connection's settings.");
            break;
        case RestAuth::Type::Basic:
            what = QStringLiteral("Check the user name and password in the connection's settings.");
            break;
        case RestAuth::Type::ApiKey:
            what = QStringLiteral("Check the API key in the connection's settings.");
            break;
        }
        if (response.status == 403)
            throw ConnectorError(
                QStringLiteral("%1 refused access (%2). The credentials may lack permission for this "
                               "data. %3")
                    .arg(name, where, what),
                ConnectorError::Kind::Auth);
        throw ConnectorError(
            QStringLiteral("Invalid credentials: %1 refused them (%2). %3").arg(name, where, what),
            ConnectorError::Kind::Auth);
    }
    case 404:
        throw ConnectorError(
            QStringLiteral("%1 has nothing at this address (%2). Check the base URL%3.")
                .arg(name, where,
                     entity
                         ? QStringLiteral(" and the path of entity \"%1\" in the manifest").arg(entity->name)
                         : QString()),
            ConnectorError::Kind::Api);
    case 429:
        throw ConnectorError(
            QStringLiteral("%1 kept rate-limiting the sync (%2). Raise \"Delay between requests\" "
                           "under Advanced, then sync again: it resumes.")
                .arg(name, where),
            ConnectorError::Kind::RateLimit);
    default:
        if (response.status >= 500)
            throw ConnectorError(
                QStringLiteral("%1 failed to answer (%2). Sync again later: it resumes.").arg(name, where),
                ConnectorError::Kind::Api);
        throw ConnectorError(where, ConnectorError::Kind::Api);
    }
}

TestResult RestConnector::testConnection()
{
    return failuresAsResult([&] {
        TestResult result;
        const RestManifest &m = manifest();
        if (m.auth.type != RestAuth::Type::None && !m.auth.optional) {
            const QString field = m.auth.type == RestAuth::Type::Bearer   ? QStringLiteral("token")
                                  : m.auth.type == RestAuth::Type::ApiKey ? QStringLiteral("api_key")
                                                                          : QStringLiteral("username");
            if (credential(field).isEmpty())
                throw ConnectorError(QStringLiteral("%1: required by this API's manifest").arg(field),
                                     ConnectorError::Kind::Config);
        }
        const RestEntity *entity = nullptr;
        QUrl url;
        if (!m.testPath.isEmpty()) {
            url = QUrl(baseUrlText() + substitute(m.testPath.startsWith(QLatin1Char('/'))
                                                      ? m.testPath
                                                      : QLatin1Char('/') + m.testPath,
                                                  true),
                       QUrl::StrictMode);
        } else {
            entity = &m.entities.first();
            url = firstPageUrl(*entity, FetchState(), 1, QJsonValue());
        }
        const HttpResponse response = send(url);
        if (!response.ok())
            throwApiError(response, entity);
        if (entity && !entity->recordsPath.isEmpty()) {
            JsonScan::Result scan;
            const QByteArrayView records =
                JsonScan::member(response.body, entity->recordsPath.toUtf8(), &scan);
            if (records.isEmpty() || records.front() != '[') {
                result.message =
                    QStringLiteral("Connected to %1, but %2 has no \"%3\" array as the manifest says")
                        .arg(m.name, response.url.toString(), entity->recordsPath);
                return result;
            }
        }
        result.success = true;
        result.message = QStringLiteral("Connected to %1 at %2").arg(m.name, response.url.host());
        return result;
    });
}

FetchState RestConnector::fetchEntityChunk(const ResumableFetchOptions &options)
{
    const RestManifest &m = manifest();
    const RestEntity *entity = m.entity(options.entity);
    if (!entity)
        throw ConnectorError(QStringLiteral("%1 has no entity \"%2\"").arg(m.name, options.entity),
                             ConnectorError::Kind::Config);
    const RestPagination &p = entity->pagination;
    const bool clientFilter = entity->hasIncremental &&
                              entity->incremental.mode == IncrementalMode::ClientFilter &&
                              !options.since.isNull() && !options.since.isUndefined();
    int pageSize = qMax(1, options.batchSize);
    if (p.maxPageSize > 0)
        pageSize = qMin(pageSize, p.maxPageSize);
    const QByteArray recordsPath = entity->recordsPath.toUtf8();
    QList<QByteArray> keyPaths;
    for (const QString &key : entity->primaryKey)
        keyPaths.append(key.toUtf8());
    const QByteArray cursorField = entity->incremental.cursorField.toUtf8();
    const QUrl base(baseUrlText());
    const bool hasCredentials = !credential(QStringLiteral("token")).isEmpty() ||
                                !credential(QStringLiteral("api_key")).isEmpty() ||
                                !credential(QStringLiteral("username")).isEmpty();

    FetchState state = options.state;
    while (state.hasMore && state.iterationsInChunk < options.maxIterations) {
        throwIfCancelled();
        const bool followsUrls =
            p.type == RestPagination::Type::Link || p.type == RestPagination::Type::NextUrl;
        QUrl url;
        if (followsUrls && !state.cursor.isEmpty()) {
            url = QUrl(state.cursor, QUrl::StrictMode);
            // Credentials go only to the API's own host, wherever a next link points.
            if (hasCredentials && !sameOrigin(url, base))
                throw ConnectorError(
                    QStringLiteral("%1 pointed the next page of %2 to another host (%3); credentials "
                                   "are only sent to %4. Check base_url.")
                        .arg(m.name, entity->name, http().redactUrl(url).toString(), base.host()),
                    ConnectorError::Kind::Api);
        } else {
            url = firstPageUrl(*entity, state, pageSize, options.since);
        }
        const HttpResponse response = send(url);
        if (!response.ok())
            throwApiError(response, entity);

        // The page must match the manifest: whole JSON, with the records array where it says.
        const QString shownUrl = response.url.toString();
        const QByteArray &body = response.body;
        auto malformed = [&](const QString &what) {
            return ConnectorError(
                QStringLiteral("%1 sent a page that does not match the manifest from %2: %3.%4")
                    .arg(m.name, shownUrl, what, malformedSuffix()),
                ConnectorError::Kind::Malformed);
        };
        const qsizetype end = JsonScan::skipValue(body, 0);
        if (end < 0 || !QByteArrayView(body).sliced(end).trimmed().isEmpty())
            throw malformed(QStringLiteral("the body is not valid JSON"));
        JsonScan::Result scan;
        const QByteArrayView records = recordsPath.isEmpty() ? QByteArrayView(body).trimmed()
                                                             : JsonScan::member(body, recordsPath, &scan);
        if (records.isEmpty())
            throw malformed(QStringLiteral("no \"%1\" array (manifest field entities.%2.records)%3")
                                .arg(entity->recordsPath, entity->name,
                                     scan.ok ? QString() : QStringLiteral(": ") + scan.error));
        if (records.front() != '[')
            throw malformed(
                recordsPath.isEmpty()
                    ? QStringLiteral("the body is not an array; set \"records\" to the path of the array")
                    : QStringLiteral("\"%1\" is not an array").arg(entity->recordsPath));
        const QList<QByteArrayView> items = JsonScan::elements(records, &scan);
        if (!scan.ok)
            throw malformed(scan.error);

        RecordBatch batch;
        batch.reserve(items.size());
        QJsonValue highWater = state.highWater;
        int index = 0;
        for (const QByteArrayView item : items) {
            ++index;
            if (item.isEmpty() || item.front() != '{')
                throw malformed(QStringLiteral("record %1 is not a JSON object").arg(index));
            QByteArray key;
            for (const QByteArray &path : std::as_const(keyPaths)) {
                const QByteArrayView raw = JsonScan::member(item, path);
                if (!isScalarKey(raw))
                    throw malformed(QStringLiteral("record %1 has no primary key \"%2\"")
                                        .arg(index)
                                        .arg(QString::fromUtf8(path)));
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
                        continue; // older than the last sync: the API cannot filter, so we do
                }
            }
            batch.append(Record{key, item.toByteArray()});
        }
        if (!highWater.isNull() && !highWater.isUndefined())
            state.highWater = highWater;

        auto scalar = [&](const QString &path) { return JsonScan::member(body, path.toUtf8()); };
        if (!p.totalPath.isEmpty()) {
            bool ok = false;
            const qint64 total = scalar(p.totalPath).toByteArray().toLongLong(&ok);
            if (ok && !clientFilter)
                state.total = total;
        }
        const qint64 count = items.size();
        bool more = count > 0;
        switch (p.type) {
        case RestPagination::Type::None:
            more = false;
            break;
        case RestPagination::Type::Page:
        case RestPagination::Type::Offset: {
            ++state.page;
            state.offset += count;
            if (!p.totalPagesPath.isEmpty()) {
                bool ok = false;
                const qint64 pages = scalar(p.totalPagesPath).toByteArray().toLongLong(&ok);
                if (ok)
                    more = more && state.page < pages;
            }
            if (!p.totalPath.isEmpty() && state.total >= 0)
                more = more && state.offset < state.total;
            break;
        }
        case RestPagination::Type::Cursor: {
            ++state.page;
            const QByteArrayView raw = scalar(p.cursorPath);
            const QString next = isScalarKey(raw) ? QString::fromUtf8(JsonScan::keyText(raw)) : QString();
            if (!next.isEmpty() && next == state.cursor && options.onLog)
                options.onLog(LogLevel::Warning,
                              QStringLiteral("%1 returned the same cursor twice from %2; stopping "
                                             "there")
                                  .arg(m.name, shownUrl));
            more = !next.isEmpty() && next != state.cursor;
            state.cursor = next;
            break;
        }
        case RestPagination::Type::Link:
        case RestPagination::Type::NextUrl: {
            ++state.page;
            QString next;
            if (p.type == RestPagination::Type::Link) {
                next = nextLink(response.header("link"));
            } else {
                const QJsonValue value = JsonScan::toValue(scalar(p.nextUrlPath));
                if (!value.isNull() && !value.isUndefined() && !value.isString())
                    throw malformed(QStringLiteral("\"%1\" is not a URL").arg(p.nextUrlPath));
                next = value.toString().trimmed();
            }
            QUrl nextUrl;
            if (!next.isEmpty()) {
                nextUrl = url.resolved(QUrl(next));
                if (m.auth.type == RestAuth::Type::ApiKey && m.auth.inQuery)
                    removeQueryItem(nextUrl, m.auth.name); // never stored in the catalog's state (I6)
            }
            QUrl current = url;
            if (m.auth.type == RestAuth::Type::ApiKey && m.auth.inQuery)
                removeQueryItem(current, m.auth.name);
            more = nextUrl.isValid() && !nextUrl.isEmpty() && nextUrl != current;
            state.cursor = more ? nextUrl.toString(QUrl::FullyEncoded) : QString();
            break;
        }
        }
        if (!p.hasMorePath.isEmpty()) {
            const QByteArrayView flag = scalar(p.hasMorePath);
            if (flag == "false")
                more = false;
            else if (flag != "true")
                throw malformed(QStringLiteral("no true/false \"%1\"").arg(p.hasMorePath));
        }
        if (p.stopOnShortPage && count < pageSize)
            more = false;

        state.totalProcessed += batch.size();
        state.hasMore = more;
        ++state.iterationsInChunk;
        if (options.onBatch)
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, state.total);
    }
    return state;
}
