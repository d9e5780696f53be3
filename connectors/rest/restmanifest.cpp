#include "restmanifest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

namespace {

const QString kGenericIcon = QStringLiteral(":/icons/connector-generic.svg");

// Names the manifest's own fields may not take: the connector adds these itself.
const QStringList kReservedFields{QStringLiteral("base_url"),    QStringLiteral("rate_limit_delay_ms"),
                                  QStringLiteral("max_retries"), QStringLiteral("timeout_ms"),
                                  QStringLiteral("batch_size"),  QStringLiteral("token"),
                                  QStringLiteral("username"),    QStringLiteral("password"),
                                  QStringLiteral("api_key"),     QStringLiteral("manifest")};

// Collects "<file>: <field>: <reason>" lines while a manifest is read.
class Reader
{
public:
    Reader(QString file, QStringList *errors)
        : m_file(std::move(file))
        , m_errors(errors)
    {
    }

    void error(const QString &field, const QString &reason)
    {
        m_failed = true;
        add(field, reason);
    }
    void warning(const QString &field, const QString &reason) { add(field, reason); }
    bool failed() const { return m_failed; }

    // Unknown members are mistakes (a misspelt "pagination" would otherwise be silently ignored).
    void checkKeys(const QJsonObject &object, const QString &where, const QStringList &known)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = it.key();
            if (known.contains(key) || key.startsWith(QLatin1Char('$')) || key.startsWith(QLatin1Char('_')) ||
                key == QLatin1String("comment"))
                continue;
            error(join(where, key),
                  QStringLiteral("unknown field; expected one of %1").arg(known.join(QStringLiteral(", "))));
        }
    }

    QString string(const QJsonObject &object, const QString &where, const QString &key, bool required = false,
                   const QString &fallback = QString())
    {
        const QJsonValue value = object.value(key);
        if (value.isUndefined() || value.isNull()) {
            if (required)
                error(join(where, key), QStringLiteral("required"));
            return fallback;
        }
        if (!value.isString()) {
            error(join(where, key), QStringLiteral("must be a string"));
            return fallback;
        }
        if (required && value.toString().trimmed().isEmpty())
            error(join(where, key), QStringLiteral("must not be empty"));
        return value.toString();
    }

    int integer(const QJsonObject &object, const QString &where, const QString &key, int fallback,
                int minimum)
    {
        const QJsonValue value = object.value(key);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isDouble() || value.toDouble() != double(value.toInteger()) ||
            value.toInteger() < minimum || value.toInteger() > std::numeric_limits<int>::max()) {
            error(join(where, key), QStringLiteral("must be a whole number of at least %1").arg(minimum));
            return fallback;
        }
        return int(value.toInteger());
    }

    bool boolean(const QJsonObject &object, const QString &where, const QString &key, bool fallback)
    {
        const QJsonValue value = object.value(key);
        if (value.isUndefined() || value.isNull())
            return fallback;
        if (!value.isBool()) {
            error(join(where, key), QStringLiteral("must be true or false"));
            return fallback;
        }
        return value.toBool();
    }

    QJsonObject object(const QJsonObject &parent, const QString &where, const QString &key)
    {
        const QJsonValue value = parent.value(key);
        if (value.isUndefined() || value.isNull())
            return {};
        if (!value.isObject())
            error(join(where, key), QStringLiteral("must be an object"));
        return value.toObject();
    }

    static QString join(const QString &where, const QString &key)
    {
        return where.isEmpty() ? key : where + QLatin1Char('.') + key;
    }

private:
    void add(const QString &field, const QString &reason)
    {
        const QString line = QStringLiteral("%1: %2: %3")
                                 .arg(m_file, field.isEmpty() ? QStringLiteral("(file)") : field, reason);
        if (m_errors && !m_errors->contains(line)) // an entity inheriting a bad default reports it once
            m_errors->append(line);
    }

    QString m_file;
    QStringList *m_errors;
    bool m_failed = false;
};

QString humanLabel(const QString &name)
{
    QString label = name;
    label.replace(QLatin1Char('_'), QLatin1Char(' '));
    label.replace(QLatin1Char('-'), QLatin1Char(' '));
    if (!label.isEmpty())
        label[0] = label[0].toUpper();
    return label;
}

// A dotted JSON path: "data.items", each part a plain member name.
bool validPath(const QString &path)
{
    static const QRegularExpression re(QStringLiteral("^[^.\\s\"]+(\\.[^.\\s\"]+)*$"));
    return re.match(path).hasMatch();
}

QString pathField(Reader &reader, const QJsonObject &object, const QString &where, const QString &key,
                  bool required = false)
{
    const QString path = reader.string(object, where, key, required).trimmed();
    if (!path.isEmpty() && !validPath(path))
        reader.error(
            Reader::join(where, key),
            QStringLiteral("\"%1\" is not a dotted path of member names such as \"data.items\"").arg(path));
    return path;
}

const QStringList kPaginationKeys{QStringLiteral("type"),
                                  QStringLiteral("page_param"),
                                  QStringLiteral("start_page"),
                                  QStringLiteral("offset_param"),
                                  QStringLiteral("size_param"),
                                  QStringLiteral("max_page_size"),
                                  QStringLiteral("cursor_param"),
                                  QStringLiteral("cursor_path"),
                                  QStringLiteral("next_url_path"),
                                  QStringLiteral("has_more_path"),
                                  QStringLiteral("total_path"),
                                  QStringLiteral("total_pages_path"),
                                  QStringLiteral("stop_on_short_page")};

RestPagination parsePagination(Reader &reader, const QJsonValue &value, const QString &where,
                               const RestPagination &base)
{
    RestPagination p = base;
    if (value.isUndefined() || value.isNull())
        return p;
    QJsonObject object;
    if (value.isString()) {
        object.insert(QStringLiteral("type"), value); // "pagination": "link" is shorthand
    } else if (value.isObject()) {
        object = value.toObject();
    } else {
        reader.error(where, QStringLiteral("must be an object such as {\"type\": \"page\"}"));
        return p;
    }
    reader.checkKeys(object, where, kPaginationKeys);
    if (object.contains(QStringLiteral("type"))) {
        static const QStringList types{QStringLiteral("none"),   QStringLiteral("page"),
                                       QStringLiteral("offset"), QStringLiteral("cursor"),
                                       QStringLiteral("link"),   QStringLiteral("next_url")};
        const QString type = reader.string(object, where, QStringLiteral("type"));
        const int index = types.indexOf(type);
        if (index < 0)
            reader.error(
                Reader::join(where, QStringLiteral("type")),
                QStringLiteral("unknown pagination type \"%1\"; use none, page, offset, cursor, link or "
                               "next_url")
                    .arg(type));
        else
            p.type = RestPagination::Type(index);
    }
    p.pageParam = reader.string(object, where, QStringLiteral("page_param"), false, p.pageParam);
    p.startPage = reader.integer(object, where, QStringLiteral("start_page"), p.startPage, 0);
    p.offsetParam = reader.string(object, where, QStringLiteral("offset_param"), false, p.offsetParam);
    p.sizeParam = reader.string(object, where, QStringLiteral("size_param"), false, p.sizeParam);
    p.maxPageSize = reader.integer(object, where, QStringLiteral("max_page_size"), p.maxPageSize, 1);
    p.cursorParam = reader.string(object, where, QStringLiteral("cursor_param"), false, p.cursorParam);
    for (auto [key, target] : {std::pair{QStringLiteral("cursor_path"), &p.cursorPath},
                               std::pair{QStringLiteral("next_url_path"), &p.nextUrlPath},
                               std::pair{QStringLiteral("has_more_path"), &p.hasMorePath},
                               std::pair{QStringLiteral("total_path"), &p.totalPath},
                               std::pair{QStringLiteral("total_pages_path"), &p.totalPagesPath}}) {
        if (object.contains(key))
            *target = pathField(reader, object, where, key);
    }
    p.stopOnShortPage =
        reader.boolean(object, where, QStringLiteral("stop_on_short_page"), p.stopOnShortPage);
    return p;
}

// What each style needs, checked on an entity's effective pagination (`where` names the object that set it).
void checkPagination(Reader &reader, const RestPagination &p, const QString &where)
{
    {
        if (p.type == RestPagination::Type::Cursor && p.cursorPath.isEmpty())
            reader.error(Reader::join(where, QStringLiteral("cursor_path")),
                         QStringLiteral("required for cursor pagination: the body path of the next cursor"));
        if (p.type == RestPagination::Type::NextUrl && p.nextUrlPath.isEmpty())
            reader.error(
                Reader::join(where, QStringLiteral("next_url_path")),
                QStringLiteral("required for next_url pagination: the body path of the next page's URL"));
        if (p.type == RestPagination::Type::Page && p.pageParam.isEmpty())
            reader.error(Reader::join(where, QStringLiteral("page_param")),
                         QStringLiteral("must not be empty"));
        if (p.type == RestPagination::Type::Offset && p.offsetParam.isEmpty())
            reader.error(Reader::join(where, QStringLiteral("offset_param")),
                         QStringLiteral("must not be empty"));
        if (p.stopOnShortPage && p.sizeParam.isEmpty())
            reader.error(Reader::join(where, QStringLiteral("stop_on_short_page")),
                         QStringLiteral("needs size_param: the page size must be one we asked for"));
    }
}

// "{name}" placeholders must name a manifest setting.
void checkPlaceholders(Reader &reader, const QString &text, const QString &field, const ConfigSpec &fields)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]*)\\}"));
    auto it = placeholder.globalMatch(text);
    while (it.hasNext()) {
        const QString name = it.next().captured(1);
        bool known = false;
        for (const ConfigField &f : fields)
            known = known || f.name == name;
        if (!known)
            reader.error(field,
                         QStringLiteral("the placeholder {%1} names no setting in \"config\"").arg(name));
    }
}

QList<QPair<QString, QString>> parseParams(Reader &reader, const QJsonObject &parent, const QString &where,
                                           const ConfigSpec &fields)
{
    QList<QPair<QString, QString>> params;
    const QJsonObject object = reader.object(parent, where, QStringLiteral("params"));
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString field = Reader::join(Reader::join(where, QStringLiteral("params")), it.key());
        QString text;
        if (it.value().isString())
            text = it.value().toString();
        else if (it.value().isDouble())
            text = QString::number(it.value().toDouble(), 'g', 17);
        else if (it.value().isBool())
            text = it.value().toBool() ? QStringLiteral("true") : QStringLiteral("false");
        else
            reader.error(field, QStringLiteral("must be a string, number or boolean"));
        checkPlaceholders(reader, text, field, fields);
        params.append({it.key(), text});
    }
    return params;
}

ConfigSpec parseConfigFields(Reader &reader, const QJsonValue &value)
{
    ConfigSpec spec;
    if (value.isUndefined() || value.isNull())
        return spec;
    if (!value.isArray()) {
        reader.error(QStringLiteral("config"), QStringLiteral("must be a list of settings"));
        return spec;
    }
    static const QRegularExpression nameRe(QStringLiteral("^[a-z][a-z0-9_]*$"));
    const QJsonArray array = value.toArray();
    for (int i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("config[%1]").arg(i);
        if (!array.at(i).isObject()) {
            reader.error(where, QStringLiteral(
                                    "must be an object such as {\"name\": \"owner\", \"label\": \"Owner\"}"));
            continue;
        }
        const QJsonObject object = array.at(i).toObject();
        reader.checkKeys(object, where,
                         {QStringLiteral("name"), QStringLiteral("label"), QStringLiteral("type"),
                          QStringLiteral("required"), QStringLiteral("default"), QStringLiteral("help"),
                          QStringLiteral("options"), QStringLiteral("placeholder"),
                          QStringLiteral("advanced")});
        ConfigField field;
        field.name = reader.string(object, where, QStringLiteral("name"), true);
        if (!field.name.isEmpty() && !nameRe.match(field.name).hasMatch())
            reader.error(where + QStringLiteral(".name"),
                         QStringLiteral("\"%1\" must be lower case letters, digits and _").arg(field.name));
        if (kReservedFields.contains(field.name))
            reader.error(
                where + QStringLiteral(".name"),
                QStringLiteral("\"%1\" is set by the connector itself; choose another name").arg(field.name));
        for (const ConfigField &other : std::as_const(spec)) {
            if (other.name == field.name)
                reader.error(where + QStringLiteral(".name"),
                             QStringLiteral("\"%1\" is defined twice").arg(field.name));
        }
        field.label = reader.string(object, where, QStringLiteral("label"), false, humanLabel(field.name));
        const QString type =
            reader.string(object, where, QStringLiteral("type"), false, QStringLiteral("string"));
        bool ok = false;
        field.type = ConfigField::typeFromName(type, &ok);
        if (!ok || field.type == ConfigField::Type::List)
            reader.error(
                where + QStringLiteral(".type"),
                QStringLiteral("unknown type \"%1\"; use string, secret, url, integer, boolean or select")
                    .arg(type));
        field.required = reader.boolean(object, where, QStringLiteral("required"), false);
        field.advanced = reader.boolean(object, where, QStringLiteral("advanced"), false);
        field.defaultValue = object.value(QStringLiteral("default"));
        if (field.defaultValue.isUndefined())
            field.defaultValue = QJsonValue();
        field.help = reader.string(object, where, QStringLiteral("help"));
        field.placeholder = reader.string(object, where, QStringLiteral("placeholder"));
        const QJsonValue options = object.value(QStringLiteral("options"));
        if (options.isArray()) {
            for (const QJsonValue &option : options.toArray())
                field.options.append(option.toVariant().toString());
        } else if (!options.isUndefined()) {
            reader.error(where + QStringLiteral(".options"), QStringLiteral("must be a list of strings"));
        }
        if (field.type == ConfigField::Type::Select && field.options.isEmpty())
            reader.error(where + QStringLiteral(".options"), QStringLiteral("a select needs its options"));
        spec.append(field);
    }
    return spec;
}

RestAuth parseAuth(Reader &reader, const QJsonValue &value)
{
    RestAuth auth;
    const QString where = QStringLiteral("auth");
    if (value.isUndefined() || value.isNull())
        return auth;
    QJsonObject object;
    if (value.isString())
        object.insert(QStringLiteral("type"), value);
    else if (value.isObject())
        object = value.toObject();
    else {
        reader.error(where, QStringLiteral("must be an object such as {\"type\": \"bearer\"}"));
        return auth;
    }
    reader.checkKeys(object, where,
                     {QStringLiteral("type"), QStringLiteral("in"), QStringLiteral("name"),
                      QStringLiteral("prefix"), QStringLiteral("optional"), QStringLiteral("help")});
    const QString type = reader.string(object, where, QStringLiteral("type"), true);
    if (type == QLatin1String("none")) {
        auth.type = RestAuth::Type::None;
    } else if (type == QLatin1String("bearer")) {
        auth.type = RestAuth::Type::Bearer;
        auth.name = QStringLiteral("Authorization");
        auth.prefix = QStringLiteral("Bearer ");
    } else if (type == QLatin1String("basic")) {
        auth.type = RestAuth::Type::Basic;
    } else if (type == QLatin1String("api_key")) {
        auth.type = RestAuth::Type::ApiKey;
        const QString in =
            reader.string(object, where, QStringLiteral("in"), false, QStringLiteral("header"));
        if (in != QLatin1String("header") && in != QLatin1String("query"))
            reader.error(where + QStringLiteral(".in"), QStringLiteral("must be header or query"));
        auth.inQuery = in == QLatin1String("query");
        if (!object.contains(QStringLiteral("name")))
            reader.error(
                where + QStringLiteral(".name"),
                QStringLiteral("required for api_key: the %1 name that carries the key")
                    .arg(auth.inQuery ? QStringLiteral("query parameter") : QStringLiteral("header")));
    } else if (!type.isEmpty()) {
        reader.error(
            where + QStringLiteral(".type"),
            QStringLiteral("unknown auth type \"%1\"; use none, bearer, basic or api_key").arg(type));
    }
    auth.name = reader.string(object, where, QStringLiteral("name"), false, auth.name).trimmed();
    auth.prefix = reader.string(object, where, QStringLiteral("prefix"), false, auth.prefix);
    auth.optional = reader.boolean(object, where, QStringLiteral("optional"), false);
    auth.help = reader.string(object, where, QStringLiteral("help"));
    static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    if (!auth.name.isEmpty() && !token.match(auth.name).hasMatch())
        reader.error(where + QStringLiteral(".name"),
                     QStringLiteral("\"%1\" is not a valid name").arg(auth.name));
    return auth;
}

} // namespace

const RestEntity *RestManifest::entity(const QString &entityName) const
{
    for (const RestEntity &e : entities) {
        if (e.name == entityName)
            return &e;
    }
    return nullptr;
}

ConnectorMetadata RestManifest::metadata() const
{
    ConnectorMetadata m;
    m.id = id;
    m.name = name;
    m.version = version;
    m.description = description;
    m.iconPath = iconPath.isEmpty() ? kGenericIcon : iconPath;
    m.documentationUrl = documentationUrl;
    for (const RestEntity &e : entities) {
        EntityInfo info;
        info.name = e.name;
        info.label = e.label;
        info.description = e.description;
        info.primaryKey = e.primaryKey.join(QLatin1Char(','));
        if (e.hasIncremental) {
            info.incremental = e.incremental.mode;
            info.cursorField = e.incremental.cursorField;
        }
        m.entities.append(info);
    }

    const QString help = auth.help;
    auto secret = [&](const QString &fieldName, const QString &label) {
        ConfigField f;
        f.name = fieldName;
        f.label = label;
        f.type = ConfigField::Type::Secret;
        f.required = !auth.optional;
        f.help = help;
        return f;
    };
    switch (auth.type) {
    case RestAuth::Type::None:
        break;
    case RestAuth::Type::Bearer:
        m.config.append(secret(QStringLiteral("token"), QStringLiteral("Access token")));
        break;
    case RestAuth::Type::ApiKey:
        m.config.append(secret(QStringLiteral("api_key"), QStringLiteral("API key")));
        break;
    case RestAuth::Type::Basic: {
        ConfigField user;
        user.name = QStringLiteral("username");
        user.label = QStringLiteral("User name");
        user.required = !auth.optional;
        user.help = help;
        m.config.append(user);
        ConfigField password = secret(QStringLiteral("password"), QStringLiteral("Password"));
        password.required = false; // some APIs take the key as user name and no password
        m.config.append(password);
        break;
    }
    }
    m.config += extraFields;
    ConfigSpec common = commonHttpConfigFields(baseUrl);
    for (ConfigField &f : common) {
        if (f.name == QLatin1String("rate_limit_delay_ms"))
            f.defaultValue = rateLimitDelayMs;
    }
    m.config += common;
    return m;
}

std::shared_ptr<const RestManifest> parseRestManifest(const QByteArray &json, const QString &file,
                                                      QStringList *errors, bool requireId)
{
    Reader reader(file, errors);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        reader.error(QString(), QStringLiteral("not valid JSON: %1 at character %2")
                                    .arg(parseError.errorString())
                                    .arg(parseError.offset));
        return nullptr;
    }
    if (!doc.isObject()) {
        reader.error(QString(), QStringLiteral("a manifest is a JSON object"));
        return nullptr;
    }
    const QJsonObject root = doc.object();
    reader.checkKeys(root, QString(),
                     {QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("version"),
                      QStringLiteral("description"), QStringLiteral("icon"), QStringLiteral("documentation"),
                      QStringLiteral("base_url"), QStringLiteral("auth"), QStringLiteral("headers"),
                      QStringLiteral("params"), QStringLiteral("rate_limit_delay_ms"),
                      QStringLiteral("test_path"), QStringLiteral("error_message_path"),
                      QStringLiteral("config"), QStringLiteral("pagination"), QStringLiteral("entities")});

    auto manifest = std::make_shared<RestManifest>();
    manifest->sourceFile = file;
    static const QRegularExpression idRe(QStringLiteral("^[a-z][a-z0-9_-]{0,62}$"));
    manifest->id = reader.string(root, QString(), QStringLiteral("id"), requireId).trimmed();
    if (!manifest->id.isEmpty() && !idRe.match(manifest->id).hasMatch())
        reader.error(QStringLiteral("id"),
                     QStringLiteral(
                         "\"%1\" must start with a letter and hold only lower case letters, digits, - and _")
                         .arg(manifest->id));
    manifest->name = reader.string(root, QString(), QStringLiteral("name"), requireId).trimmed();
    if (manifest->name.isEmpty())
        manifest->name = manifest->id.isEmpty() ? QStringLiteral("REST API") : manifest->id;
    manifest->version = reader.string(root, QString(), QStringLiteral("version"), false, manifest->version);
    manifest->description = reader.string(root, QString(), QStringLiteral("description"));
    if (manifest->description.isEmpty())
        manifest->description = QStringLiteral("%1, described by the declarative manifest %2")
                                    .arg(manifest->name, QFileInfo(file).fileName());
    manifest->documentationUrl = reader.string(root, QString(), QStringLiteral("documentation"));

    manifest->baseUrl = reader.string(root, QString(), QStringLiteral("base_url"), true).trimmed();
    while (manifest->baseUrl.endsWith(QLatin1Char('/')))
        manifest->baseUrl.chop(1);
    if (!manifest->baseUrl.isEmpty()) {
        const QUrl url(manifest->baseUrl, QUrl::StrictMode);
        if (!url.isValid() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
            url.host().isEmpty() || url.hasQuery())
            reader.error(
                QStringLiteral("base_url"),
                QStringLiteral(
                    "\"%1\" is not an http(s) URL without a query, such as https://api.example.com/v1")
                    .arg(manifest->baseUrl));
    }

    // The icon is an SVG beside the manifest (a resource path for the bundled ones); without it, the generic
    // one.
    const QString icon = reader.string(root, QString(), QStringLiteral("icon")).trimmed();
    if (!icon.isEmpty()) {
        const QString path = QFileInfo(icon).isAbsolute() && !icon.startsWith(QLatin1Char(':'))
                                 ? icon
                                 : QFileInfo(file).dir().filePath(icon);
        QFile svg(path);
        if (!svg.open(QIODevice::ReadOnly))
            reader.warning(
                QStringLiteral("icon"),
                QStringLiteral("cannot read %1 (%2); the generic icon is used").arg(path, svg.errorString()));
        else if (!svg.read(64 * 1024).contains("<svg"))
            reader.warning(QStringLiteral("icon"),
                           QStringLiteral("%1 is not an SVG file; the generic icon is used").arg(path));
        else
            manifest->iconPath = QFileInfo(path).isAbsolute() || path.startsWith(QLatin1Char(':'))
                                     ? path
                                     : QFileInfo(path).absoluteFilePath();
    }

    manifest->auth = parseAuth(reader, root.value(QStringLiteral("auth")));
    const QJsonObject headers = reader.object(root, QString(), QStringLiteral("headers"));
    manifest->extraFields = parseConfigFields(reader, root.value(QStringLiteral("config")));
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        const QString field = QStringLiteral("headers.") + it.key();
        if (!it.value().isString())
            reader.error(field, QStringLiteral("must be a string"));
        else if (it.key().compare(QLatin1String("authorization"), Qt::CaseInsensitive) == 0)
            reader.error(field, QStringLiteral("put credentials in \"auth\" so they are kept as secrets"));
        checkPlaceholders(reader, it.value().toString(), field, manifest->extraFields);
        manifest->headers.append({it.key().toUtf8(), it.value().toString().toUtf8()});
    }
    manifest->rateLimitDelayMs = reader.integer(root, QString(), QStringLiteral("rate_limit_delay_ms"), 0, 0);
    manifest->testPath = reader.string(root, QString(), QStringLiteral("test_path")).trimmed();
    checkPlaceholders(reader, manifest->testPath, QStringLiteral("test_path"), manifest->extraFields);
    manifest->errorMessagePath = pathField(reader, root, QString(), QStringLiteral("error_message_path"));
    const QList<QPair<QString, QString>> commonParams =
        parseParams(reader, root, QString(), manifest->extraFields);
    const RestPagination defaultPagination =
        parsePagination(reader, root.value(QStringLiteral("pagination")), QStringLiteral("pagination"), {});

    const QJsonValue entitiesValue = root.value(QStringLiteral("entities"));
    if (!entitiesValue.isArray() || entitiesValue.toArray().isEmpty())
        reader.error(QStringLiteral("entities"), QStringLiteral("required: a non-empty list of entities"));
    static const QRegularExpression entityRe(QStringLiteral("^[a-z][a-z0-9_]{0,62}$"));
    const QJsonArray entities = entitiesValue.toArray();
    for (int i = 0; i < entities.size(); ++i) {
        const QString where = QStringLiteral("entities[%1]").arg(i);
        if (!entities.at(i).isObject()) {
            reader.error(where, QStringLiteral(
                                    "must be an object such as {\"name\": \"users\", \"path\": \"/users\"}"));
            continue;
        }
        const QJsonObject object = entities.at(i).toObject();
        reader.checkKeys(object, where,
                         {QStringLiteral("name"), QStringLiteral("label"), QStringLiteral("description"),
                          QStringLiteral("path"), QStringLiteral("records"), QStringLiteral("primary_key"),
                          QStringLiteral("params"), QStringLiteral("pagination"),
                          QStringLiteral("incremental")});
        RestEntity e;
        e.name = reader.string(object, where, QStringLiteral("name"), true).trimmed();
        if (!e.name.isEmpty() && !entityRe.match(e.name).hasMatch())
            reader.error(where + QStringLiteral(".name"),
                         QStringLiteral(
                             "\"%1\" must start with a letter and hold only lower case letters, digits and _")
                             .arg(e.name));
        if (manifest->entity(e.name))
            reader.error(where + QStringLiteral(".name"),
                         QStringLiteral("\"%1\" is defined twice").arg(e.name));
        e.label = reader.string(object, where, QStringLiteral("label"), false, humanLabel(e.name));
        e.description = reader.string(object, where, QStringLiteral("description"));
        e.path = reader.string(object, where, QStringLiteral("path"), true).trimmed();
        if (!e.path.isEmpty() && !e.path.startsWith(QLatin1Char('/')))
            e.path.prepend(QLatin1Char('/'));
        if (e.path.contains(QLatin1Char('?')))
            reader.error(where + QStringLiteral(".path"),
                         QStringLiteral("put query parameters in \"params\""));
        checkPlaceholders(reader, e.path, where + QStringLiteral(".path"), manifest->extraFields);
        e.recordsPath = pathField(reader, object, where, QStringLiteral("records"));

        const QJsonValue key = object.value(QStringLiteral("primary_key"));
        if (key.isUndefined() || key.isNull()) {
            e.primaryKey = QStringList{QStringLiteral("id")};
        } else if (key.isString() && validPath(key.toString())) {
            e.primaryKey = QStringList{key.toString()};
        } else if (key.isArray() && !key.toArray().isEmpty()) {
            for (const QJsonValue &part : key.toArray()) {
                if (!part.isString() || !validPath(part.toString()))
                    reader.error(where + QStringLiteral(".primary_key"),
                                 QStringLiteral("each part must be a dotted field path"));
                e.primaryKey.append(part.toString());
            }
        } else {
            reader.error(where + QStringLiteral(".primary_key"),
                         QStringLiteral("must be a field path such as \"id\", or a list of them"));
        }

        e.params = commonParams;
        for (const auto &param : parseParams(reader, object, where, manifest->extraFields)) {
            bool replaced = false;
            for (auto &existing : e.params) {
                if (existing.first == param.first) {
                    existing.second = param.second;
                    replaced = true;
                }
            }
            if (!replaced)
                e.params.append(param);
        }
        e.pagination = parsePagination(reader, object.value(QStringLiteral("pagination")),
                                       where + QStringLiteral(".pagination"), defaultPagination);
        checkPagination(reader, e.pagination,
                        object.contains(QStringLiteral("pagination")) ? where + QStringLiteral(".pagination")
                                                                      : QStringLiteral("pagination"));

        const QJsonValue incremental = object.value(QStringLiteral("incremental"));
        if (!incremental.isUndefined() && !incremental.isNull()) {
            const QString iw = where + QStringLiteral(".incremental");
            if (!incremental.isObject()) {
                reader.error(iw,
                             QStringLiteral("must be an object such as {\"cursor_field\": \"updated_at\", "
                                            "\"param\": \"since\"}"));
            } else {
                const QJsonObject inc = incremental.toObject();
                reader.checkKeys(
                    inc, iw,
                    {QStringLiteral("cursor_field"), QStringLiteral("param"), QStringLiteral("mode")});
                e.hasIncremental = true;
                e.incremental.cursorField = pathField(reader, inc, iw, QStringLiteral("cursor_field"), true);
                e.incremental.param = reader.string(inc, iw, QStringLiteral("param")).trimmed();
                const QString mode =
                    reader.string(inc, iw, QStringLiteral("mode"), false,
                                  e.incremental.param.isEmpty() ? QStringLiteral("client-filter")
                                                                : QStringLiteral("native"));
                if (mode == QLatin1String("native"))
                    e.incremental.mode = IncrementalMode::Native;
                else if (mode == QLatin1String("created-only"))
                    e.incremental.mode = IncrementalMode::CreatedOnly;
                else if (mode == QLatin1String("client-filter"))
                    e.incremental.mode = IncrementalMode::ClientFilter;
                else
                    reader.error(
                        iw + QStringLiteral(".mode"),
                        QStringLiteral("unknown mode \"%1\"; use native, created-only or client-filter")
                            .arg(mode));
                if (e.incremental.param.isEmpty() && e.incremental.mode != IncrementalMode::ClientFilter)
                    reader.error(
                        iw + QStringLiteral(".param"),
                        QStringLiteral("required unless mode is client-filter: the query parameter that "
                                       "receives the cursor"));
            }
        }
        manifest->entities.append(e);
    }
    if (reader.failed())
        return nullptr;
    return manifest;
}
