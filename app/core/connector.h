// The connector contract: the C++ shape of Mako's BaseConnector (see shared "Building Connectors" guide).
// A connector instance belongs to one job and lives on that job's worker thread; nothing here is shared
// between threads except the immutable ConnectorMetadata held by the registry.
#pragma once

#include "cancel.h"
#include "fieldschema.h"
#include "httpclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>
#include <memory>
#include <stdexcept>

struct ConfigField
{
    // Path: a local file or folder (the form offers Browse…).
    enum class Type { String, Secret, Url, Integer, Boolean, Select, List, Path };

    QString name;
    QString label;
    Type type = Type::String;
    bool required = false;
    bool advanced = false;   // shown under "Advanced" in the form
    QJsonValue defaultValue; // Null when there is none
    QString help;
    QStringList options; // for Select
    QString showIf;      // "field=value": only relevant when another field has that value
    QString placeholder;
    // For Integer: the values that can work, enforced by validation and shown by the form.
    qint64 minimum = 0;
    qint64 maximum = 2147483647;

    bool isSecret() const { return type == Type::Secret; }
    static QString typeName(Type type);
    static Type typeFromName(const QString &name, bool *ok = nullptr);
    QJsonObject toJson() const;
};
using ConfigSpec = QList<ConfigField>;

// How honestly an entity can sync incrementally.
enum class IncrementalMode {
    Native,       // the API filters by an updated-at cursor: changed records are picked up
    CreatedOnly,  // only records created since the last sync are fetched; edits to old ones are not
    ClientFilter, // everything is fetched, records older than the cursor are dropped client-side
    None          // full refresh only
};
QString incrementalModeName(IncrementalMode mode);

struct EntityInfo
{
    QString name;  // API name, used in the catalog ("customers")
    QString label; // human label ("Customers")
    QString primaryKey = QStringLiteral("id");
    IncrementalMode incremental = IncrementalMode::None;
    QString cursorField; // record field the incremental cursor follows ("created")
    QString description;
    // What the connector knows of the records' fields: declared types win over inference (paths as in
    // FieldStats), CSV-like sources whose values are all text, and names for arrays' child views.
    SchemaHints schema;
    QHash<QString, QString> childViews; // "lines.data" -> "lines" (stripe__invoices__lines)
    QJsonObject toJson() const;
};

struct ConnectorMetadata
{
    QString id; // folder name, unique in the registry ("stripe")
    QString name;
    QString version;
    QString description;
    QString iconPath; // Qt resource path, ":/connectors/<id>/icon.svg"
    QList<EntityInfo> entities;
    ConfigSpec config;
    bool resumable = true;
    QString documentationUrl;
    // For connectors whose entities each connection defines (GraphQL queries, local files, a REST manifest in
    // the config): the entities of one connection, from its config (secrets not needed). Must be pure and
    // thread-safe; `error` says what is wrong with the definition. When set, `entities` may be empty.
    std::function<QList<EntityInfo>(const QJsonObject &config, QString *error)> configEntities;

    const EntityInfo *entity(const QString &name) const;
    // `entities` plus those configEntities defines for this connection's config.
    QList<EntityInfo> entitiesFor(const QJsonObject &config, QString *error = nullptr) const;
    // A copy whose `entities` are entitiesFor(config): what a job of this connection works with.
    ConnectorMetadata forConfig(const QJsonObject &config, QString *error = nullptr) const;
    const ConfigField *field(const QString &name) const;
    QStringList entityNames() const;
    QStringList secretFieldNames() const;
    QJsonObject toJson() const;
};

// Where a chunk stopped. Serialised into sync_state in the same transaction as the chunk's records (I1).
struct FetchState
{
    qint64 totalProcessed = 0;
    bool hasMore = true;
    int page = 0;
    qint64 offset = 0;
    QString cursor;
    int iterationsInChunk = 0;
    qint64 total = -1;           // total records in the entity when the API says; -1 unknown
    bool totalEstimated = false; // `total` is an estimate (a file's rows per byte read so far), shown "≈"
    QJsonValue highWater;        // largest cursor-field value seen: the next incremental run's `since`
    QJsonObject metadata;        // connector-specific

    QJsonObject toJson() const;
    static FetchState fromJson(const QJsonObject &object);
};

// One record exactly as the API sent it, and its primary key.
struct Record
{
    QByteArray key;
    QByteArray json;
};
using RecordBatch = QList<Record>;

enum class LogLevel { Debug, Info, Warning, Error };
QString logLevelName(LogLevel level);

struct ResumableFetchOptions
{
    QString entity;
    int batchSize = 100;    // records per API call, where the API lets us choose
    int maxIterations = 10; // API calls in this chunk
    FetchState state;       // where the previous chunk stopped (default-constructed: from the start)
    QJsonValue since;       // incremental cursor; Null for a full refresh
    std::function<void(RecordBatch &&records)> onBatch;
    std::function<void(qint64 processed, qint64 total)> onProgress; // total -1 when unknown
    std::function<void(LogLevel level, const QString &message)> onLog;
    CancelToken cancel;
};

struct TestResult
{
    bool success = false;
    QString message; // one line for people: "Connected to Stripe account acct_123"
    QString details;
};

// Thrown by connectors (and the HTTP client helpers) for failures a person must read. The message never
// contains a secret: HttpClient redacts before it builds one.
class ConnectorError : public std::runtime_error
{
public:
    // Refused: the API will not accept this request as it is; asking again the same way cannot help.
    enum class Kind { Auth, RateLimit, Network, Malformed, Config, Api, Refused, Cancelled, Other };
    explicit ConnectorError(const QString &message, Kind kind = Kind::Other);
    QString message() const { return m_message; }
    Kind kind() const { return m_kind; }

private:
    QString m_message;
    Kind m_kind;
};

class BaseConnector
{
public:
    BaseConnector() = default;
    virtual ~BaseConnector();
    BaseConnector(const BaseConnector &) = delete;
    BaseConnector &operator=(const BaseConnector &) = delete;

    // Called on the worker thread before anything else: merges spec defaults into `config`, builds the HTTP
    // client (and its QNetworkAccessManager) in this thread, and registers secret values for redaction.
    void setup(const ConnectorMetadata &metadata, const QJsonObject &config, const CancelToken &cancel,
               std::shared_ptr<RateLimiter> limiter = {});

    // Where the HTTP client's retry notes go (the job's log). Call after setup(), on the same thread.
    void setLogHandler(std::function<void(LogLevel level, const QString &message)> handler);
    // Told when the HTTP client starts waiting (why, until when) and stops (empty reason). After setup().
    void setWaitHandler(std::function<void(const QString &reason, const QDateTime &until)> handler);

    const ConnectorMetadata &metadata() const { return m_metadata; }
    const ConnectorMetadata &getMetadata() const { return m_metadata; } // the guide's spelling

    // Problems with the config, one line each ("api_key: required"). Default: checks against the spec.
    virtual QStringList validateConfig() const;
    virtual TestResult testConnection() = 0;
    virtual FetchState fetchEntityChunk(const ResumableFetchOptions &options) = 0;
    virtual bool supportsResumableFetching() const { return true; }

    // For the engine, after a chunk: how many requests this connector has sent, and the last one's URL.
    qint64 requestsSent() const;
    QUrl lastRequestUrl() const;
    int lastResponseStatus() const; // 0 when none arrived
    // A page the API sent did not parse: when its body is not JSON at all (cut short), backs off as the HTTP
    // client does after a transient failure and returns true to fetch it again; false for a whole JSON
    // answer of the wrong shape, or once the HTTP retry budget (max_retries) is spent.
    bool backOffAfterMalformedPage(int retry, const QString &why);

protected:
    HttpClient &http();
    const QJsonObject &config() const { return m_config; }
    QString configString(const QString &name) const;
    qint64 configInt(const QString &name, qint64 fallback = 0) const;
    bool configBool(const QString &name, bool fallback = false) const;
    QUrl baseUrl() const; // config "base_url" without a trailing slash
    const CancelToken &cancelToken() const { return m_cancel; }
    // Cancellable sleep; throws ConnectorError(Cancelled) when the job is cancelled meanwhile.
    void sleep(int ms);
    void throwIfCancelled() const;
    // The guide's try/catch around a connection test, written once for every connector: runs `check` and
    // turns a ConnectorError into a failed result carrying its message. A cancel still propagates.
    static TestResult failuresAsResult(const std::function<TestResult()> &check);

private:
    ConnectorMetadata m_metadata;
    QJsonObject m_config;
    CancelToken m_cancel;
    std::unique_ptr<HttpClient> m_http;
    std::function<void(LogLevel level, const QString &message)> m_logHandler;
};

// Checks a config object against a spec: required fields, types, URL schemes, select options.
QStringList validateConfigAgainstSpec(const ConfigSpec &spec, const QJsonObject &config);
// The config with spec defaults filled in for absent fields.
QJsonObject applyConfigDefaults(const ConfigSpec &spec, const QJsonObject &config);
// Fields every HTTP connector shares, appended to a connector's own spec (all "advanced").
ConfigSpec commonHttpConfigFields(const QString &defaultBaseUrl, int largestPage = 10000);
