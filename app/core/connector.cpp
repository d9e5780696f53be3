#include "connector.h"

#include "jsonscan.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QTimer>
#include <QUrl>

QString ConfigField::typeName(Type type)
{
    switch (type) {
    case Type::String:
        return QStringLiteral("string");
    case Type::Secret:
        return QStringLiteral("secret");
    case Type::Url:
        return QStringLiteral("url");
    case Type::Integer:
        return QStringLiteral("integer");
    case Type::Boolean:
        return QStringLiteral("boolean");
    case Type::Select:
        return QStringLiteral("select");
    case Type::List:
        return QStringLiteral("list");
    case Type::Path:
        return QStringLiteral("path");
    }
    return {};
}

ConfigField::Type ConfigField::typeFromName(const QString &name, bool *ok)
{
    static const QList<Type> all{Type::String,  Type::Secret, Type::Url,  Type::Integer,
                                 Type::Boolean, Type::Select, Type::List, Type::Path};
    for (Type type : all) {
        if (typeName(type) == name) {
            if (ok)
                *ok = true;
            return type;
        }
    }
    if (ok)
        *ok = false;
    return Type::String;
}

QJsonObject ConfigField::toJson() const
{
    QJsonObject object{{QStringLiteral("name"), name},           {QStringLiteral("label"), label},
                       {QStringLiteral("type"), typeName(type)}, {QStringLiteral("required"), required},
                       {QStringLiteral("advanced"), advanced},   {QStringLiteral("secret"), isSecret()}};
    if (!defaultValue.isNull() && !defaultValue.isUndefined())
        object.insert(QStringLiteral("default"), defaultValue);
    if (!help.isEmpty())
        object.insert(QStringLiteral("help"), help);
    if (!options.isEmpty())
        object.insert(QStringLiteral("options"), QJsonArray::fromStringList(options));
    if (!showIf.isEmpty())
        object.insert(QStringLiteral("showIf"), showIf);
    if (type == Type::Integer) {
        object.insert(QStringLiteral("minimum"), minimum);
        object.insert(QStringLiteral("maximum"), maximum);
    }
    return object;
}

QString incrementalModeName(IncrementalMode mode)
{
    switch (mode) {
    case IncrementalMode::Native:
        return QStringLiteral("native");
    case IncrementalMode::CreatedOnly:
        return QStringLiteral("created-only");
    case IncrementalMode::ClientFilter:
        return QStringLiteral("client-filter");
    case IncrementalMode::None:
        return QStringLiteral("none");
    }
    return {};
}

QString logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return QStringLiteral("debug");
    case LogLevel::Info:
        return QStringLiteral("info");
    case LogLevel::Warning:
        return QStringLiteral("warning");
    case LogLevel::Error:
        return QStringLiteral("error");
    }
    return {};
}

QJsonObject EntityInfo::toJson() const
{
    QJsonObject object{{QStringLiteral("name"), name},
                       {QStringLiteral("label"), label},
                       {QStringLiteral("primaryKey"), primaryKey},
                       {QStringLiteral("incremental"), incrementalModeName(incremental)}};
    if (!cursorField.isEmpty())
        object.insert(QStringLiteral("cursorField"), cursorField);
    if (!description.isEmpty())
        object.insert(QStringLiteral("description"), description);
    return object;
}

const EntityInfo *ConnectorMetadata::entity(const QString &entityName) const
{
    for (const EntityInfo &info : entities) {
        if (info.name == entityName)
            return &info;
    }
    return nullptr;
}

const ConfigField *ConnectorMetadata::field(const QString &fieldName) const
{
    for (const ConfigField &f : config) {
        if (f.name == fieldName)
            return &f;
    }
    return nullptr;
}

QList<EntityInfo> ConnectorMetadata::entitiesFor(const QJsonObject &config, QString *error) const
{
    QList<EntityInfo> list = entities;
    if (configEntities) {
        QString problem;
        for (const EntityInfo &info : configEntities(applyConfigDefaults(this->config, config), &problem)) {
            bool taken = false;
            for (const EntityInfo &existing : std::as_const(list))
                taken = taken || existing.name == info.name;
            if (!taken)
                list.append(info);
        }
        if (error)
            *error = problem;
    }
    return list;
}

ConnectorMetadata ConnectorMetadata::forConfig(const QJsonObject &config, QString *error) const
{
    ConnectorMetadata copy = *this;
    copy.entities = entitiesFor(config, error);
    return copy;
}

QStringList ConnectorMetadata::entityNames() const
{
    QStringList names;
    for (const EntityInfo &info : entities)
        names.append(info.name);
    return names;
}

QStringList ConnectorMetadata::secretFieldNames() const
{
    QStringList names;
    for (const ConfigField &f : config) {
        if (f.isSecret())
            names.append(f.name);
    }
    return names;
}

QJsonObject ConnectorMetadata::toJson() const
{
    QJsonArray entityArray;
    for (const EntityInfo &info : entities)
        entityArray.append(info.toJson());
    QJsonArray fields;
    for (const ConfigField &f : config)
        fields.append(f.toJson());
    bool incremental = false;
    for (const EntityInfo &info : entities)
        incremental = incremental || info.incremental != IncrementalMode::None;
    QJsonArray capabilities;
    if (resumable)
        capabilities.append(QStringLiteral("resumable"));
    if (incremental)
        capabilities.append(QStringLiteral("incremental"));
    if (configEntities)
        capabilities.append(QStringLiteral("config-entities")); // each connection defines its own entities
    QJsonObject object{{QStringLiteral("id"), id},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("version"), version},
                       {QStringLiteral("description"), description},
                       {QStringLiteral("icon"), iconPath},
                       {QStringLiteral("entities"), entityArray},
                       {QStringLiteral("capabilities"), capabilities},
                       {QStringLiteral("config"), fields}};
    return object;
}

QJsonObject FetchState::toJson() const
{
    QJsonObject object{{QStringLiteral("totalProcessed"), totalProcessed},
                       {QStringLiteral("hasMore"), hasMore},
                       {QStringLiteral("page"), page},
                       {QStringLiteral("offset"), offset},
                       {QStringLiteral("iterationsInChunk"), iterationsInChunk}};
    if (!cursor.isEmpty())
        object.insert(QStringLiteral("cursor"), cursor);
    if (total >= 0)
        object.insert(QStringLiteral("total"), total);
    if (total >= 0 && totalEstimated)
        object.insert(QStringLiteral("totalEstimated"), true);
    if (!highWater.isNull() && !highWater.isUndefined())
        object.insert(QStringLiteral("highWater"), highWater);
    if (!metadata.isEmpty())
        object.insert(QStringLiteral("metadata"), metadata);
    return object;
}

FetchState FetchState::fromJson(const QJsonObject &object)
{
    FetchState state;
    state.totalProcessed = object.value(QStringLiteral("totalProcessed")).toInteger();
    state.hasMore = object.value(QStringLiteral("hasMore")).toBool(true);
    state.page = object.value(QStringLiteral("page")).toInt();
    state.offset = object.value(QStringLiteral("offset")).toInteger();
    state.cursor = object.value(QStringLiteral("cursor")).toString();
    state.iterationsInChunk = object.value(QStringLiteral("iterationsInChunk")).toInt();
    state.total = object.value(QStringLiteral("total")).toInteger(-1);
    state.totalEstimated = object.value(QStringLiteral("totalEstimated")).toBool();
    state.highWater = object.value(QStringLiteral("highWater"));
    if (state.highWater.isUndefined())
        state.highWater = QJsonValue();
    state.metadata = object.value(QStringLiteral("metadata")).toObject();
    return state;
}

ConnectorError::ConnectorError(const QString &message, Kind kind)
    : std::runtime_error(message.toStdString())
    , m_message(message)
    , m_kind(kind)
{
}

BaseConnector::~BaseConnector() = default;

void BaseConnector::setup(const ConnectorMetadata &metadata, const QJsonObject &config,
                          const CancelToken &cancel, std::shared_ptr<RateLimiter> limiter)
{
    m_metadata = metadata;
    m_config = applyConfigDefaults(metadata.config, config);
    m_cancel = cancel;

    HttpPolicy policy;
    policy.maxRetries = int(configInt(QStringLiteral("max_retries"), policy.maxRetries));
    policy.timeoutMs = int(configInt(QStringLiteral("timeout_ms"), policy.timeoutMs));
    policy.maxServerWaitMs =
        int(qMin<qint64>(configInt(QStringLiteral("longest_wait_s"), policy.maxServerWaitMs / 1000), 86400) *
            1000);
    if (!limiter)
        limiter = std::make_shared<RateLimiter>(int(configInt(QStringLiteral("rate_limit_delay_ms"), 0)));
    m_http = std::make_unique<HttpClient>(cancel, policy, std::move(limiter));
    for (const QString &name : metadata.secretFieldNames())
        m_http->addSecret(m_config.value(name).toString());
    m_http->setDefaultHeaders({{"User-Agent", "MakoConnect/" MC_VERSION}, {"Accept", "application/json"}});
}

qint64 BaseConnector::requestsSent() const
{
    return m_http ? m_http->requestCount() : 0;
}

int BaseConnector::lastResponseStatus() const
{
    return m_http ? m_http->lastStatus() : 0;
}

QUrl BaseConnector::lastRequestUrl() const
{
    return m_http ? m_http->lastUrl() : QUrl();
}

bool BaseConnector::backOffAfterMalformedPage(int retry, const QString &why)
{
    // Only an answer that is not JSON at all (cut short on the way) may come back whole; a JSON answer of the
    // wrong shape would come back the same.
    const QByteArray body = m_http ? m_http->lastBody() : QByteArray();
    const qsizetype end = JsonScan::skipValue(body, 0);
    const bool parses = end > 0 && QByteArrayView(body).sliced(end).trimmed().isEmpty();
    if (!m_http || parses || retry >= m_http->policy().maxRetries)
        return false;
    const qint64 delay = m_http->backoffMs(retry);
    if (m_logHandler)
        m_logHandler(LogLevel::Warning,
                     m_http->redact(QStringLiteral("%1; fetching the page again in %2 s (retry %3 of %4)")
                                        .arg(why)
                                        .arg(delay / 1000.0, 0, 'f', 1)
                                        .arg(retry + 1)
                                        .arg(m_http->policy().maxRetries)));
    m_http->pause(delay);
    return true;
}

void BaseConnector::setWaitHandler(std::function<void(const QString &, const QDateTime &)> handler)
{
    if (m_http)
        m_http->setWaitObserver(std::move(handler));
}

void BaseConnector::setLogHandler(std::function<void(LogLevel, const QString &)> handler)
{
    m_logHandler = handler;
    if (!m_http)
        return;
    m_http->setLogger([handler = std::move(handler)](const QString &message) {
        if (handler)
            handler(LogLevel::Warning, message);
    });
}

QStringList BaseConnector::validateConfig() const
{
    return validateConfigAgainstSpec(m_metadata.config, m_config);
}

HttpClient &BaseConnector::http()
{
    Q_ASSERT_X(m_http, "BaseConnector::http", "setup() was not called");
    return *m_http;
}

QString BaseConnector::configString(const QString &name) const
{
    const QJsonValue value = m_config.value(name);
    if (value.isDouble())
        return QString::number(value.toInteger());
    return value.toString();
}

qint64 BaseConnector::configInt(const QString &name, qint64 fallback) const
{
    const QJsonValue value = m_config.value(name);
    if (value.isDouble())
        return value.toInteger();
    bool ok = false;
    const qint64 parsed = value.toString().toLongLong(&ok);
    return ok ? parsed : fallback;
}

bool BaseConnector::configBool(const QString &name, bool fallback) const
{
    const QJsonValue value = m_config.value(name);
    if (value.isBool())
        return value.toBool();
    if (value.isString())
        return value.toString() == QLatin1String("true") || value.toString() == QLatin1String("1");
    return fallback;
}

QUrl BaseConnector::baseUrl() const
{
    QString text = configString(QStringLiteral("base_url")).trimmed();
    while (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    return QUrl(text);
}

void BaseConnector::throwIfCancelled() const
{
    if (m_cancel.isCancelled())
        throw ConnectorError(QStringLiteral("Cancelled"), ConnectorError::Kind::Cancelled);
}

TestResult BaseConnector::failuresAsResult(const std::function<TestResult()> &check)
{
    try {
        return check();
    } catch (const ConnectorError &error) {
        if (error.kind() == ConnectorError::Kind::Cancelled)
            throw;
        TestResult failed;
        failed.success = false;
        failed.message = error.message();
        return failed;
    }
}

void BaseConnector::sleep(int ms)
{
    // Wakes every 50 ms to notice a cancel; runs on the job's worker thread.
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms) {
        throwIfCancelled();
        QEventLoop loop;
        QTimer::singleShot(qMin<qint64>(50, ms - clock.elapsed()), &loop, &QEventLoop::quit);
        loop.exec();
    }
    throwIfCancelled();
}

static bool isEmptyValue(const QJsonValue &value)
{
    return value.isNull() || value.isUndefined() ||
           (value.isString() && value.toString().trimmed().isEmpty()) ||
           (value.isArray() && value.toArray().isEmpty());
}

static bool showIfHolds(const ConfigField &field, const QJsonObject &config)
{
    if (field.showIf.isEmpty())
        return true;
    const int eq = field.showIf.indexOf(QLatin1Char('='));
    if (eq < 0)
        return !isEmptyValue(config.value(field.showIf));
    const QString other = field.showIf.left(eq);
    const QString expected = field.showIf.mid(eq + 1);
    const QJsonValue value = config.value(other);
    const QString actual = value.isBool()
                               ? (value.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                               : value.toVariant().toString();
    return expected.split(QLatin1Char('|')).contains(actual);
}

QStringList validateConfigAgainstSpec(const ConfigSpec &spec, const QJsonObject &rawConfig)
{
    const QJsonObject config = applyConfigDefaults(spec, rawConfig);
    QStringList problems;
    for (auto it = rawConfig.begin(); it != rawConfig.end(); ++it) {
        bool known = false;
        for (const ConfigField &field : spec)
            known = known || field.name == it.key();
        if (!known)
            problems.append(QStringLiteral("%1: not a setting of this connector").arg(it.key()));
    }
    for (const ConfigField &field : spec) {
        if (!showIfHolds(field, config))
            continue;
        const QJsonValue value = config.value(field.name);
        const QString label = field.name;
        if (isEmptyValue(value)) {
            if (field.required)
                problems.append(QStringLiteral("%1: required (%2)").arg(label, field.label));
            continue;
        }
        switch (field.type) {
        case ConfigField::Type::String:
        case ConfigField::Type::Secret:
        case ConfigField::Type::Path:
            if (!value.isString())
                problems.append(QStringLiteral("%1: must be text").arg(label));
            break;
        case ConfigField::Type::Url: {
            const QUrl url(value.toString().trimmed(), QUrl::StrictMode);
            if (!value.isString() || !url.isValid() ||
                (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
                url.host().isEmpty())
                problems.append(
                    QStringLiteral("%1: must be an http(s) URL such as https://api.example.com").arg(label));
            break;
        }
        case ConfigField::Type::Integer: {
            bool ok = value.isDouble() && value.toDouble() == double(value.toInteger());
            if (value.isString())
                value.toString().trimmed().toLongLong(&ok);
            const qint64 number =
                value.isString() ? value.toString().trimmed().toLongLong() : value.toInteger();
            if (!ok)
                problems.append(QStringLiteral("%1: must be a whole number").arg(label));
            else if (number < field.minimum || number > field.maximum)
                problems.append(QStringLiteral("%1: must be from %2 to %3 (%4 was given)")
                                    .arg(label)
                                    .arg(field.minimum)
                                    .arg(field.maximum)
                                    .arg(number));
            break;
        }
        case ConfigField::Type::Boolean:
            if (!value.isBool() && value.toString() != QLatin1String("true") &&
                value.toString() != QLatin1String("false"))
                problems.append(QStringLiteral("%1: must be true or false").arg(label));
            break;
        case ConfigField::Type::Select:
            if (!field.options.contains(value.toVariant().toString()))
                problems.append(QStringLiteral("%1: must be one of %2")
                                    .arg(label, field.options.join(QStringLiteral(", "))));
            break;
        case ConfigField::Type::List:
            if (!value.isArray() && !value.isString())
                problems.append(QStringLiteral("%1: must be a list").arg(label));
            break;
        }
    }
    return problems;
}

QJsonObject applyConfigDefaults(const ConfigSpec &spec, const QJsonObject &config)
{
    QJsonObject result = config;
    for (const ConfigField &field : spec) {
        if (!result.contains(field.name) && !field.defaultValue.isNull() && !field.defaultValue.isUndefined())
            result.insert(field.name, field.defaultValue);
    }
    return result;
}

ConfigSpec commonHttpConfigFields(const QString &defaultBaseUrl, int largestPage)
{
    ConfigField baseUrl;
    baseUrl.name = QStringLiteral("base_url");
    baseUrl.label = QStringLiteral("Base URL");
    baseUrl.type = ConfigField::Type::Url;
    baseUrl.advanced = true;
    baseUrl.defaultValue = defaultBaseUrl;
    baseUrl.help = QStringLiteral("Change only for a self-hosted instance, a proxy or a test server.");

    ConfigField delay;
    delay.name = QStringLiteral("rate_limit_delay_ms");
    delay.label = QStringLiteral("Delay between requests (ms)");
    delay.type = ConfigField::Type::Integer;
    delay.advanced = true;
    delay.defaultValue = 0;
    delay.maximum = 600000;
    delay.help =
        QStringLiteral("Minimum time between two requests of this connection, to stay under the API's "
                       "rate limit (0 to 600000).");

    ConfigField retries;
    retries.name = QStringLiteral("max_retries");
    retries.label = QStringLiteral("Retries");
    retries.type = ConfigField::Type::Integer;
    retries.advanced = true;
    retries.defaultValue = 6;
    retries.maximum = 20;
    retries.help =
        QStringLiteral("How often a timed-out or failed request is retried (0 to 20). Waits the API "
                       "asks for (rate limits) do not count: see Longest wait.");

    ConfigField longestWait;
    longestWait.name = QStringLiteral("longest_wait_s");
    longestWait.label = QStringLiteral("Longest wait (s)");
    longestWait.type = ConfigField::Type::Integer;
    longestWait.advanced = true;
    longestWait.defaultValue = 900;
    longestWait.minimum = 1;
    longestWait.maximum = 86400;
    longestWait.help =
        QStringLiteral("The longest the sync waits when the API asks it to (a rate limit's "
                       "Retry-After or reset time), 1 to 86400 s; a longer ask fails the sync.");

    ConfigField timeout;
    timeout.name = QStringLiteral("timeout_ms");
    timeout.label = QStringLiteral("Request timeout (ms)");
    timeout.type = ConfigField::Type::Integer;
    timeout.advanced = true;
    timeout.defaultValue = 30000;
    timeout.minimum = 1000;
    timeout.maximum = 600000;
    timeout.help = QStringLiteral("How long one request may take before it is retried (1000 to 600000 ms).");

    ConfigField batch;
    batch.name = QStringLiteral("batch_size");
    batch.label = QStringLiteral("Records per request");
    batch.type = ConfigField::Type::Integer;
    batch.advanced = true;
    batch.defaultValue = qMin(100, largestPage);
    batch.minimum = 1;
    batch.maximum = largestPage; // what the API accepts: a larger ask would be cut down or refused
    batch.help =
        QStringLiteral("Page size asked of the API, where it lets us choose (1 to %1).").arg(largestPage);

    return {baseUrl, delay, retries, longestWait, timeout, batch};
}
