#include "filesconnector.h"

#include "jsonscan.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace {

constexpr qint64 kBlockBytes = 256 * 1024;
constexpr qint64 kMaxRecordBytes = 64 * 1024 * 1024; // a quote left open must not swallow the machine

QString rootPath(const QJsonObject &config)
{
    QString path = config.value(QStringLiteral("path")).toString().trimmed();
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
        path = QDir::homePath() + path.mid(1);
    return path.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

// "Orders 2024.csv" -> "orders_2024": a name the catalog and SQL views accept.
QString entityNameFor(const QString &baseName)
{
    QString name = baseName.toLower();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9_]+")), QStringLiteral("_"));
    while (name.startsWith(QLatin1Char('_')))
        name.remove(0, 1);
    while (name.endsWith(QLatin1Char('_')))
        name.chop(1);
    if (name.isEmpty() || !name.front().isLetter())
        name.prepend(QStringLiteral("file_"));
    return name.left(63);
}

bool isDataFile(const QString &fileName)
{
    static const QStringList suffixes{QStringLiteral("csv"), QStringLiteral("tsv"), QStringLiteral("jsonl"),
                                      QStringLiteral("ndjson")};
    return suffixes.contains(QFileInfo(fileName).suffix().toLower());
}

char delimiterFrom(const QString &text)
{
    if (text == QLatin1String("\\t") || text.compare(QLatin1String("tab"), Qt::CaseInsensitive) == 0 ||
        text == QLatin1String("\t"))
        return '\t';
    return text.size() == 1 && text.at(0).unicode() < 128 ? char(text.at(0).unicode()) : 0;
}

FileEntity::Format formatFrom(const QString &text, bool *ok)
{
    *ok = true;
    if (text.isEmpty() || text == QLatin1String("auto"))
        return FileEntity::Format::Auto;
    if (text == QLatin1String("csv"))
        return FileEntity::Format::Csv;
    if (text == QLatin1String("jsonl"))
        return FileEntity::Format::JsonLines;
    *ok = false;
    return FileEntity::Format::Auto;
}

// The file's format: the entity's, else the extension's, else a look at its first byte.
FileEntity::Format formatOf(const FileEntity &entity, const QFileInfo &file)
{
    if (entity.format != FileEntity::Format::Auto)
        return entity.format;
    const QString suffix = file.suffix().toLower();
    if (suffix == QLatin1String("jsonl") || suffix == QLatin1String("ndjson"))
        return FileEntity::Format::JsonLines;
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("tsv"))
        return FileEntity::Format::Csv;
    QFile f(file.absoluteFilePath());
    if (f.open(QIODevice::ReadOnly)) {
        const QByteArray head = f.read(4096).trimmed();
        if (head.startsWith('{'))
            return FileEntity::Format::JsonLines;
    }
    return FileEntity::Format::Csv;
}

void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    out += '"';
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (uchar(c) < 0x20) {
                out += "\\u00";
                out += "0123456789abcdef"[uchar(c) >> 4];
                out += "0123456789abcdef"[uchar(c) & 15];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

QByteArray validUtf8(const QByteArray &bytes)
{
    // Invalid sequences become U+FFFD so the stored record is always valid JSON.
    return QString::fromUtf8(bytes).toUtf8();
}

// A CSV row as a JSON object of its header's names; short rows get null for the missing columns.
QByteArray csvRowJson(const QList<QByteArray> &names, const QList<QByteArray> &fields, bool emptyAsString)
{
    QByteArray json;
    json.reserve(64 + fields.size() * 24);
    json += '{';
    for (int i = 0; i < names.size(); ++i) {
        if (i > 0)
            json += ',';
        appendJsonString(json, names.at(i));
        json += ':';
        if (i < fields.size() && (emptyAsString || !fields.at(i).isEmpty()))
            appendJsonString(json, validUtf8(fields.at(i)));
        else
            json += "null";
    }
    json += '}';
    return json;
}

QByteArray rowHash(QByteArrayView bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha1).toHex();
}

// Reads a file from a byte offset in blocks, handing out CSV records or lines with the offset after each,
// so a chunk can stop anywhere and the next one seeks straight there.
class BlockReader
{
public:
    bool open(const QString &path, qint64 offset, QString *error)
    {
        m_file.setFileName(path);
        if (!m_file.open(QIODevice::ReadOnly)) {
            *error = m_file.errorString();
            return false;
        }
        if (offset > 0 && !m_file.seek(offset)) {
            *error = QStringLiteral("cannot seek to byte %1").arg(offset);
            return false;
        }
        m_base = offset;
        return true;
    }
    qint64 position() const { return m_base + m_pos; }
    qint64 line() const { return m_line; }
    void setLine(qint64 line) { m_line = line; }
    bool atEnd() { return !fill(m_pos + 1) && m_pos >= m_buffer.size(); }
    void skipBom()
    {
        if (position() == 0 && fill(3) && m_buffer.startsWith("\xEF\xBB\xBF"))
            m_pos = 3;
    }

    // One line without its terminator; false at the end of the file.
    bool readLine(QByteArray *line)
    {
        qsizetype from = m_pos;
        while (true) {
            const qsizetype nl = m_buffer.indexOf('\n', from);
            if (nl >= 0) {
                *line = m_buffer.mid(m_pos, nl - m_pos);
                m_pos = nl + 1;
                ++m_line;
                compact();
                return true;
            }
            from = m_buffer.size();
            if (!fill(m_buffer.size() + 1)) {
                if (m_pos >= m_buffer.size())
                    return false;
                *line = m_buffer.mid(m_pos); // the last line has no newline
                m_pos = m_buffer.size();
                ++m_line;
                return true;
            }
        }
    }

    // One RFC 4180 record: fields may be quoted, with "" for a quote and newlines inside quotes. Returns
    // false at the end of the file; `error` set when the record is broken.
    bool readCsvRecord(char delimiter, QList<QByteArray> *fields, QString *error)
    {
        fields->clear();
        if (!fill(m_pos + 1) && m_pos >= m_buffer.size())
            return false;
        QByteArray field;
        bool quoted = false;
        bool wasQuoted = false;
        const qint64 startLine = m_line + 1;
        while (true) {
            if (m_pos >= m_buffer.size() && !fill(m_pos + 1)) {
                if (quoted) {
                    *error = QStringLiteral("a quoted field opened on line %1 never closes").arg(startLine);
                    return false;
                }
                fields->append(field);
                ++m_line;
                return true;
            }
            const char c = m_buffer.at(m_pos);
            if (quoted) {
                if (c == '"') {
                    if (m_pos + 1 >= m_buffer.size())
                        fill(m_pos + 2);
                    if (m_pos + 1 < m_buffer.size() && m_buffer.at(m_pos + 1) == '"') {
                        field += '"';
                        m_pos += 2;
                        continue;
                    }
                    quoted = false;
                    ++m_pos;
                    continue;
                }
                if (c == '\n')
                    ++m_line;
                field += c;
                ++m_pos;
                if (field.size() > kMaxRecordBytes) {
                    *error = QStringLiteral("a quoted field opened on line %1 is larger than 64 MB")
                                 .arg(startLine);
                    return false;
                }
                continue;
            }
            if (c == '"' && field.isEmpty() && !wasQuoted) {
                quoted = wasQuoted = true;
                ++m_pos;
                continue;
            }
            if (c == delimiter) {
                fields->append(field);
                field.clear();
                wasQuoted = false;
                ++m_pos;
                continue;
            }
            if (c == '\n' || c == '\r') {
                ++m_pos;
                if (c == '\r') {
                    if (m_pos >= m_buffer.size())
                        fill(m_pos + 1);
                    if (m_pos < m_buffer.size() && m_buffer.at(m_pos) == '\n')
                        ++m_pos;
                }
                ++m_line;
                fields->append(field);
                compact();
                return true;
            }
            field += c;
            ++m_pos;
        }
    }

private:
    // Makes at least `bytes` bytes available after the start of the buffer; false at the end of the file.
    bool fill(qsizetype bytes)
    {
        while (m_buffer.size() < bytes) {
            const QByteArray block = m_file.read(kBlockBytes);
            if (block.isEmpty())
                return false;
            m_buffer += block;
        }
        return true;
    }
    void compact()
    {
        if (m_pos > kBlockBytes) {
            m_buffer.remove(0, m_pos);
            m_base += m_pos;
            m_pos = 0;
        }
    }

    QFile m_file;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_base = 0;
    qint64 m_line = 0;
};

// Header names made unique and non-empty, in file order.
QList<QByteArray> headerNames(const QList<QByteArray> &fields)
{
    QList<QByteArray> names;
    for (int i = 0; i < fields.size(); ++i) {
        QByteArray name = validUtf8(fields.at(i).trimmed());
        if (name.isEmpty())
            name = "column_" + QByteArray::number(i + 1);
        QByteArray unique = name;
        for (int n = 2; names.contains(unique); ++n)
            unique = name + '_' + QByteArray::number(n);
        names.append(unique);
    }
    return names;
}

// The entities setting: a JSON list of objects or of "name=glob" / "glob" strings, or that list as text.
QJsonArray entityArray(const QJsonValue &value, QString *error)
{
    if (value.isArray()) {
        // A form that splits list fields on commas may have cut a JSON list apart: put it back together.
        const QJsonArray array = value.toArray();
        if (!array.isEmpty() && array.first().isString() &&
            array.first().toString().trimmed().startsWith(QLatin1Char('['))) {
            QStringList parts;
            for (const QJsonValue &item : array)
                parts.append(item.toString());
            return entityArray(parts.join(QLatin1Char(',')), error);
        }
        return array;
    }
    if (value.isString()) {
        const QString text = value.toString().trimmed();
        if (text.isEmpty())
            return {};
        if (text.startsWith(QLatin1Char('['))) {
            QJsonParseError parseError;
            const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
            if (!doc.isArray())
                *error = QStringLiteral("entities: not a JSON list (%1 at character %2)")
                             .arg(parseError.errorString())
                             .arg(parseError.offset);
            return doc.array();
        }
        QJsonArray array;
        for (const QString &part :
             text.split(QRegularExpression(QStringLiteral("[,\\n]")), Qt::SkipEmptyParts))
            array.append(part.trimmed());
        return array;
    }
    if (!value.isUndefined() && !value.isNull())
        *error = QStringLiteral("entities: must be a list");
    return {};
}

} // namespace

ConnectorMetadata FilesConnector::staticMetadata()
{
    ConnectorMetadata m;
    m.id = QStringLiteral("files");
    m.name = QStringLiteral("Local files");
    m.version = QStringLiteral("1.0.0");
    m.description =
        QStringLiteral("CSV and JSON Lines files on this computer, or a folder of them: each file (or "
                       "group of files) becomes an entity. Works offline.");
    m.iconPath = QStringLiteral(":/connectors/files/icon.svg");

    ConfigField path;
    path.name = QStringLiteral("path");
    path.label = QStringLiteral("File or folder");
    path.type = ConfigField::Type::Path;
    path.required = true;
    path.placeholder = QStringLiteral("/home/me/exports");
    path.help =
        QStringLiteral("A CSV or JSON Lines file, or a folder: every .csv, .tsv, .jsonl and .ndjson file in "
                       "it becomes an entity unless Entities says otherwise.");
    ConfigField entities;
    entities.name = QStringLiteral("entities");
    entities.label = QStringLiteral("Entities");
    entities.type = ConfigField::Type::List;
    entities.placeholder = QStringLiteral("orders=orders/*.csv, customers=customers.jsonl");
    entities.help =
        QStringLiteral("Optional. \"name=glob\" items, globs relative to the folder; or a JSON list of "
                       "{\"name\", \"glob\", \"format\", \"key\", \"delimiter\"} objects.");
    ConfigField key;
    key.name = QStringLiteral("key_column");
    key.label = QStringLiteral("Key column");
    key.placeholder = QStringLiteral("id");
    key.help =
        QStringLiteral("The column (CSV) or field (JSON Lines) that identifies a row. Empty: a hash of the "
                       "row's content, so identical rows count once.");
    ConfigField format;
    format.name = QStringLiteral("format");
    format.label = QStringLiteral("Format");
    format.type = ConfigField::Type::Select;
    format.options = {QStringLiteral("auto"), QStringLiteral("csv"), QStringLiteral("jsonl")};
    format.defaultValue = QStringLiteral("auto");
    format.advanced = true;
    format.help = QStringLiteral("auto: from the extension (.csv, .tsv, .jsonl, .ndjson) or the first byte.");
    ConfigField delimiter;
    delimiter.name = QStringLiteral("delimiter");
    delimiter.label = QStringLiteral("CSV delimiter");
    delimiter.defaultValue = QStringLiteral(",");
    delimiter.advanced = true;
    delimiter.help = QStringLiteral("One character, or \"tab\". .tsv files always use tabs.");
    ConfigField batch;
    batch.name = QStringLiteral("batch_size");
    batch.label = QStringLiteral("Rows per batch");
    batch.type = ConfigField::Type::Integer;
    batch.defaultValue = 1000;
    batch.minimum = 1;
    batch.maximum = 100000;
    batch.help = QStringLiteral("Rows read and saved together (1 to 100000).");
    batch.advanced = true;
    ConfigField columnTypes;
    columnTypes.name = QStringLiteral("column_types");
    columnTypes.label = QStringLiteral("Column types");
    columnTypes.type = ConfigField::Type::List;
    columnTypes.advanced = true;
    columnTypes.placeholder = QStringLiteral("zip=text, amount=real");
    columnTypes.help = QStringLiteral(
        "Optional. \"column=type\" items that replace what is inferred from a CSV column's values; types: "
        "integer, real, boolean, text, timestamp, date.");
    m.config = {path, entities, key, format, delimiter, batch, columnTypes};

    m.configEntities = [](const QJsonObject &config, QString *error) {
        QStringList errors;
        QList<EntityInfo> infos;
        const QHash<QString, FieldType> declared = columnTypesFromConfig(config, &errors);
        for (const FileEntity &e : entitiesFromConfig(config, &errors)) {
            EntityInfo info;
            info.name = e.name;
            info.label = e.label;
            info.primaryKey = e.key.isEmpty() ? QStringLiteral("row_hash") : e.key;
            info.incremental = IncrementalMode::Native;
            info.cursorField = QStringLiteral("file modification time");
            info.description = QStringLiteral("Rows of %1").arg(e.glob);
            // A CSV cell is text: its type is read from what it spells, unless the connection says.
            const QString suffix = QFileInfo(e.glob).suffix().toLower();
            info.schema.textValues = e.format == FileEntity::Format::Csv ||
                                     (e.format == FileEntity::Format::Auto &&
                                      suffix != QLatin1String("jsonl") && suffix != QLatin1String("ndjson"));
            info.schema.declared = declared;
            infos.append(info);
        }
        if (error)
            *error = errors.join(QStringLiteral("; "));
        return infos;
    };
    return m;
}

QHash<QString, FieldType> FilesConnector::columnTypesFromConfig(const QJsonObject &config,
                                                                QStringList *errors)
{
    QHash<QString, FieldType> types;
    const QJsonValue value = config.value(QStringLiteral("column_types"));
    QStringList items;
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            items.append(item.toString());
    } else {
        items = value.toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    }
    for (const QString &item : std::as_const(items)) {
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        bool ok = false;
        const FieldType type =
            eq > 0 ? fieldTypeFromName(item.mid(eq + 1).trimmed().toLower(), &ok) : FieldType::Unknown;
        if (!ok || type == FieldType::Object || type == FieldType::Array) {
            errors->append(QStringLiteral("column_types: \"%1\" is not column=type with a type of integer, "
                                          "real, boolean, text, timestamp or date")
                               .arg(item.trimmed()));
            continue;
        }
        types.insert(item.left(eq).trimmed(), type);
    }
    return types;
}

QList<FileEntity> FilesConnector::entitiesFromConfig(const QJsonObject &config, QStringList *errors)
{
    QList<FileEntity> list;
    const QString root = rootPath(config);
    if (root.isEmpty())
        return list;
    const QFileInfo rootInfo(root);
    const QString defaultKey = config.value(QStringLiteral("key_column")).toString().trimmed();
    bool ok = true;
    const FileEntity::Format defaultFormat =
        formatFrom(config.value(QStringLiteral("format")).toString(), &ok);
    if (!ok)
        errors->append(QStringLiteral("format: use auto, csv or jsonl"));
    const QString delimiterText = config.value(QStringLiteral("delimiter")).toString(QStringLiteral(","));
    const char defaultDelimiter =
        delimiterFrom(delimiterText.isEmpty() ? QStringLiteral(",") : delimiterText);
    if (!defaultDelimiter)
        errors->append(QStringLiteral("delimiter: one character, or \"tab\""));

    auto add = [&](FileEntity e, const QString &where) {
        static const QRegularExpression nameRe(QStringLiteral("^[a-z][a-z0-9_]{0,62}$"));
        if (!nameRe.match(e.name).hasMatch()) {
            errors->append(
                QStringLiteral("%1: the name \"%2\" must start with a letter and hold only lower case "
                               "letters, digits and _")
                    .arg(where, e.name));
            return;
        }
        for (const FileEntity &other : std::as_const(list)) {
            if (other.name == e.name) {
                errors->append(QStringLiteral("%1: the name \"%2\" is used twice").arg(where, e.name));
                return;
            }
        }
        if (e.label.isEmpty())
            e.label = e.glob;
        list.append(e);
    };

    QString error;
    const QJsonArray array = entityArray(config.value(QStringLiteral("entities")), &error);
    if (!error.isEmpty())
        errors->append(error);
    if (!array.isEmpty()) {
        for (int i = 0; i < array.size(); ++i) {
            const QString where = QStringLiteral("entities[%1]").arg(i);
            FileEntity e;
            e.key = defaultKey;
            e.format = defaultFormat;
            e.delimiter = 0;
            const QJsonValue item = array.at(i);
            if (item.isString()) {
                const QString text = item.toString().trimmed();
                const qsizetype eq = text.indexOf(QLatin1Char('='));
                e.glob = eq < 0 ? text : text.mid(eq + 1).trimmed();
                e.name =
                    eq < 0 ? entityNameFor(QFileInfo(e.glob).completeBaseName()) : text.left(eq).trimmed();
            } else if (item.isObject()) {
                const QJsonObject o = item.toObject();
                static const QStringList known{QStringLiteral("name"), QStringLiteral("label"),
                                               QStringLiteral("glob"), QStringLiteral("format"),
                                               QStringLiteral("key"),  QStringLiteral("delimiter")};
                for (auto it = o.begin(); it != o.end(); ++it) {
                    if (!known.contains(it.key()))
                        errors->append(QStringLiteral("%1.%2: unknown field; expected one of %3")
                                           .arg(where, it.key(), known.join(QStringLiteral(", "))));
                }
                e.glob = o.value(QStringLiteral("glob")).toString().trimmed();
                e.name = o.value(QStringLiteral("name"))
                             .toString(entityNameFor(QFileInfo(e.glob).completeBaseName()));
                e.label = o.value(QStringLiteral("label")).toString();
                e.key = o.value(QStringLiteral("key")).toString(defaultKey).trimmed();
                if (o.contains(QStringLiteral("format"))) {
                    e.format = formatFrom(o.value(QStringLiteral("format")).toString(), &ok);
                    if (!ok)
                        errors->append(where + QStringLiteral(".format: use auto, csv or jsonl"));
                }
                if (o.contains(QStringLiteral("delimiter"))) {
                    e.delimiter = delimiterFrom(o.value(QStringLiteral("delimiter")).toString());
                    if (!e.delimiter)
                        errors->append(where + QStringLiteral(".delimiter: one character, or \"tab\""));
                }
            } else {
                errors->append(where + QStringLiteral(": must be \"name=glob\" or an object"));
                continue;
            }
            if (e.glob.isEmpty()) {
                errors->append(
                    where + QStringLiteral(".glob: required: a file name or pattern such as orders/*.csv"));
                continue;
            }
            if (!e.delimiter && e.glob.endsWith(QLatin1String(".tsv"), Qt::CaseInsensitive))
                e.delimiter = '\t';
            if (!e.delimiter)
                e.delimiter = defaultDelimiter ? defaultDelimiter : ',';
            add(e, where);
        }
        return list;
    }

    // Nothing listed: the file itself, or every data file at the top of the folder.
    QList<QFileInfo> files;
    if (rootInfo.isDir()) {
        const QFileInfoList entries = QDir(root).entryInfoList(
            QDir::Files | QDir::Readable | QDir::NoDotAndDotDot, QDir::Name | QDir::IgnoreCase);
        for (const QFileInfo &entry : entries) {
            if (isDataFile(entry.fileName()))
                files.append(entry);
        }
    } else if (rootInfo.exists()) {
        files.append(rootInfo);
    }
    for (const QFileInfo &file : std::as_const(files)) {
        FileEntity e;
        e.glob = rootInfo.isDir() ? file.fileName() : file.absoluteFilePath();
        e.name = entityNameFor(file.completeBaseName());
        for (int n = 2;
             std::any_of(list.begin(), list.end(), [&](const FileEntity &o) { return o.name == e.name; });
             ++n)
            e.name = entityNameFor(file.completeBaseName()) + QLatin1Char('_') + QString::number(n);
        e.label = file.fileName();
        e.key = defaultKey;
        e.format = defaultFormat;
        e.delimiter = file.suffix().toLower() == QLatin1String("tsv")
                          ? '\t'
                          : (defaultDelimiter ? defaultDelimiter : ',');
        add(e, file.fileName());
    }
    return list;
}

QList<QFileInfo> FilesConnector::filesOf(const FileEntity &entity, const QJsonObject &config)
{
    const QString root = rootPath(config);
    const QFileInfo rootInfo(root);
    if (!rootInfo.isDir())
        return rootInfo.exists() &&
                       (entity.glob == rootInfo.absoluteFilePath() || entity.glob == rootInfo.fileName())
                   ? QList<QFileInfo>{rootInfo}
                   : QList<QFileInfo>{};
    // "dir/part/*.csv": the folder part is literal, the name part a wildcard pattern.
    const QString glob = QDir::fromNativeSeparators(entity.glob);
    const qsizetype slash = glob.lastIndexOf(QLatin1Char('/'));
    const QString dirPart = slash < 0 ? QString() : glob.left(slash);
    const QString namePart = slash < 0 ? glob : glob.mid(slash + 1);
    const QDir dir(QDir::isAbsolutePath(dirPart) ? dirPart : QDir(root).filePath(dirPart));
    QList<QFileInfo> files;
    const QFileInfoList entries =
        dir.entryInfoList({namePart}, QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &entry : entries)
        files.append(entry);
    return files;
}

QStringList FilesConnector::validateConfig() const
{
    QStringList problems = BaseConnector::validateConfig();
    entitiesFromConfig(config(), &problems);
    columnTypesFromConfig(config(), &problems);
    return problems;
}

TestResult FilesConnector::testConnection()
{
    TestResult result;
    const QString root = rootPath(config());
    const QFileInfo info(root);
    if (!info.exists()) {
        result.message = QStringLiteral("path: %1 does not exist").arg(root);
        return result;
    }
    if (!info.isReadable()) {
        result.message = QStringLiteral("path: %1 cannot be read (check its permissions)").arg(root);
        return result;
    }
    QStringList problems;
    const QList<FileEntity> entities = entitiesFromConfig(config(), &problems);
    if (!problems.isEmpty()) {
        result.message = problems.join(QStringLiteral("; "));
        return result;
    }
    if (entities.isEmpty()) {
        result.message = QStringLiteral("No .csv, .tsv, .jsonl or .ndjson files in %1").arg(root);
        return result;
    }
    QStringList found;
    qint64 files = 0;
    for (const FileEntity &e : entities) {
        const QList<QFileInfo> matched = filesOf(e, config());
        if (matched.isEmpty()) {
            result.message = QStringLiteral("%1: no file matches \"%2\" in %3").arg(e.name, e.glob, root);
            return result;
        }
        files += matched.size();
        found.append(matched.size() == 1 ? e.name
                                         : QStringLiteral("%1 (%2 files)").arg(e.name).arg(matched.size()));
    }
    result.success = true;
    result.message = QStringLiteral("Found %1 entities in %2 files: %3")
                         .arg(entities.size())
                         .arg(files)
                         .arg(found.join(QStringLiteral(", ")));
    result.details = root;
    return result;
}

namespace {
// Rows are not counted until a file's last line is read, but its bytes are known: the rows per byte read so
// far give the entity's total as an estimate ("≈"), exact once the last file is read.
void estimateTotal(FetchState *state, const QList<QFileInfo> &files, const QDir &root)
{
    state->totalEstimated = state->hasMore;
    if (!state->hasMore) {
        state->total = state->totalProcessed;
        return;
    }
    const QString current = state->metadata.value(QStringLiteral("file")).toString();
    const QString after = state->metadata.value(QStringLiteral("after")).toString();
    qint64 all = 0;
    qint64 read = 0;
    for (const QFileInfo &file : files) {
        const QString relative = root.relativeFilePath(file.absoluteFilePath());
        all += file.size();
        if (current.isEmpty() ? relative <= after : relative < current)
            read += file.size();
        else if (relative == current)
            read += state->offset;
    }
    state->total = read > 0 ? qMax(state->totalProcessed,
                                   qint64(double(state->totalProcessed) * double(all) / double(read) + 0.5))
                            : -1;
}
} // namespace

FetchState FilesConnector::fetchEntityChunk(const ResumableFetchOptions &options)
{
    QStringList problems;
    const QList<FileEntity> entities = entitiesFromConfig(config(), &problems);
    if (!problems.isEmpty())
        throw ConnectorError(problems.join(QStringLiteral("; ")), ConnectorError::Kind::Config);
    const FileEntity *entity = nullptr;
    for (const FileEntity &e : entities) {
        if (e.name == options.entity)
            entity = &e;
    }
    if (!entity)
        throw ConnectorError(
            QStringLiteral("No file entity \"%1\" in this connection's settings").arg(options.entity),
            ConnectorError::Kind::Config);
    const QString root = rootPath(config());
    const QDir rootDir(QFileInfo(root).isDir() ? root : QFileInfo(root).absolutePath());
    const bool incremental = options.since.isDouble();
    const qint64 sinceMs = options.since.toInteger();
    const int batchSize = qMax(1, options.batchSize);

    // The next file to read: the one in progress, else the first after the last one finished (by relative
    // path). An incremental sync skips files not modified since the last one.
    auto pick = [&](const QList<QFileInfo> &files, const FetchState &s) {
        const QString inProgress = s.metadata.value(QStringLiteral("file")).toString();
        const QString after = s.metadata.value(QStringLiteral("after")).toString();
        for (const QFileInfo &candidate : files) {
            const QString relative = rootDir.relativeFilePath(candidate.absoluteFilePath());
            if (!inProgress.isEmpty() ? relative < inProgress : (!after.isEmpty() && relative <= after))
                continue;
            if (incremental && relative != inProgress &&
                candidate.lastModified().toMSecsSinceEpoch() < sinceMs)
                continue;
            return candidate;
        }
        return QFileInfo();
    };
    auto listFiles = [&] {
        QList<QFileInfo> files = filesOf(*entity, config());
        std::sort(files.begin(), files.end(), [&](const QFileInfo &a, const QFileInfo &b) {
            return rootDir.relativeFilePath(a.absoluteFilePath()) <
                   rootDir.relativeFilePath(b.absoluteFilePath());
        });
        return files;
    };

    FetchState state = options.state;
    while (state.hasMore && state.iterationsInChunk < options.maxIterations) {
        throwIfCancelled();
        const QFileInfo file = pick(listFiles(), state);
        if (file.filePath().isEmpty()) {
            state.hasMore = false;
            break;
        }
        const QString relative = rootDir.relativeFilePath(file.absoluteFilePath());
        const qint64 mtime = file.lastModified().toMSecsSinceEpoch();
        if (relative != state.metadata.value(QStringLiteral("file")).toString()) {
            state.offset = 0;
            state.metadata = QJsonObject{{QStringLiteral("file"), relative},
                                         {QStringLiteral("mtime"), mtime},
                                         {QStringLiteral("line"), 0}};
        } else if (state.offset > 0 && (state.metadata.value(QStringLiteral("mtime")).toInteger() != mtime ||
                                        file.size() < state.offset)) {
            // Changed under us since the last chunk: read it again from the top (upserts keep it
            // duplicate-free).
            if (options.onLog)
                options.onLog(
                    LogLevel::Warning,
                    QStringLiteral("%1 changed since the last chunk; reading it again from the start")
                        .arg(relative));
            state.offset = 0;
            state.metadata.insert(QStringLiteral("mtime"), mtime);
            state.metadata.insert(QStringLiteral("line"), 0);
        }
        const FileEntity::Format format = formatOf(*entity, file);
        auto malformed = [&](qint64 line, const QString &what) {
            return ConnectorError(
                QStringLiteral("%1, line %2: %3. Rows before it were saved; fix the file and sync "
                               "again to continue.")
                    .arg(file.absoluteFilePath())
                    .arg(line)
                    .arg(what),
                ConnectorError::Kind::Malformed);
        };

        BlockReader reader;
        QString error;
        RecordBatch batch;
        batch.reserve(batchSize);
        QList<QByteArray> fields;
        if (format == FileEntity::Format::Csv) {
            // The header is read from the top each time; data rows from the saved offset.
            BlockReader headerReader;
            if (!headerReader.open(file.absoluteFilePath(), 0, &error))
                throw ConnectorError(QStringLiteral("Cannot read %1: %2").arg(file.absoluteFilePath(), error),
                                     ConnectorError::Kind::Other);
            headerReader.skipBom();
            QList<QByteArray> header;
            while (header.isEmpty() || (header.size() == 1 && header.first().trimmed().isEmpty())) {
                if (!headerReader.readCsvRecord(entity->delimiter, &header, &error)) {
                    if (!error.isEmpty())
                        throw malformed(headerReader.line() + 1, error);
                    header.clear();
                    break;
                }
            }
            const QList<QByteArray> names = headerNames(header);
            int keyIndex = -1;
            if (!entity->key.isEmpty()) {
                keyIndex = names.indexOf(entity->key.toUtf8());
                if (keyIndex < 0 && !names.isEmpty())
                    throw ConnectorError(
                        QStringLiteral("The key column \"%1\" is not in the header of %2 (columns: %3)")
                            .arg(entity->key, file.absoluteFilePath(), QString::fromUtf8(names.join(", "))),
                        ConnectorError::Kind::Config);
            }
            qint64 offset = state.offset;
            qint64 line = state.metadata.value(QStringLiteral("line")).toInteger();
            if (offset == 0) {
                offset = headerReader.position();
                line = headerReader.line();
            }
            if (!reader.open(file.absoluteFilePath(), offset, &error))
                throw ConnectorError(QStringLiteral("Cannot read %1: %2").arg(file.absoluteFilePath(), error),
                                     ConnectorError::Kind::Other);
            reader.setLine(line);
            while (batch.size() < batchSize) {
                const qint64 recordLine = reader.line() + 1;
                if (!reader.readCsvRecord(entity->delimiter, &fields, &error)) {
                    if (!error.isEmpty())
                        throw malformed(recordLine, error);
                    break;
                }
                if (fields.size() == 1 && fields.first().isEmpty())
                    continue; // a blank line
                if (fields.size() > names.size())
                    throw malformed(recordLine, QStringLiteral("%1 fields, but the header has %2")
                                                    .arg(fields.size())
                                                    .arg(names.size()));
                // An empty cell is null, never "" (nor 0); the row hash stays that of the row as it was
                // always stored, with "", so keys made before this do not change.
                const QByteArray json = csvRowJson(names, fields, false);
                QByteArray key;
                if (keyIndex >= 0) {
                    key = keyIndex < fields.size() ? validUtf8(fields.at(keyIndex)) : QByteArray();
                    if (key.isEmpty())
                        throw malformed(recordLine,
                                        QStringLiteral("the key column \"%1\" is empty").arg(entity->key));
                } else {
                    key = rowHash(std::any_of(fields.cbegin(), fields.cend(),
                                              [](const QByteArray &f) { return f.isEmpty(); })
                                      ? csvRowJson(names, fields, true)
                                      : json);
                }
                batch.append(Record{key, json});
            }
        } else {
            if (!reader.open(file.absoluteFilePath(), state.offset, &error))
                throw ConnectorError(QStringLiteral("Cannot read %1: %2").arg(file.absoluteFilePath(), error),
                                     ConnectorError::Kind::Other);
            reader.setLine(state.metadata.value(QStringLiteral("line")).toInteger());
            reader.skipBom();
            const QByteArray keyPath = entity->key.toUtf8();
            QByteArray line;
            while (batch.size() < batchSize && reader.readLine(&line)) {
                const QByteArray trimmed = line.trimmed();
                if (trimmed.isEmpty())
                    continue;
                const qsizetype end = JsonScan::skipValue(trimmed, 0);
                if (!trimmed.startsWith('{') || end != trimmed.size())
                    throw malformed(reader.line(), QStringLiteral("not a JSON object"));
                QByteArray key;
                if (!keyPath.isEmpty()) {
                    const QByteArrayView raw = JsonScan::member(trimmed, keyPath);
                    if (raw.isEmpty() || raw == "null" || raw == "\"\"" || raw.front() == '{' ||
                        raw.front() == '[')
                        throw malformed(reader.line(), QStringLiteral("no \"%1\" key").arg(entity->key));
                    key = JsonScan::keyText(raw);
                } else {
                    key = rowHash(trimmed);
                }
                batch.append(Record{key, trimmed}); // the line as written
            }
        }

        state.offset = reader.position();
        state.metadata.insert(QStringLiteral("line"), reader.line());
        if (reader.atEnd()) {
            // Remember the newest modification time read: the next incremental sync starts there.
            if (state.highWater.isNull() || state.highWater.isUndefined() ||
                state.highWater.toInteger() < mtime)
                state.highWater = mtime;
            state.offset = 0;
            state.metadata = QJsonObject{{QStringLiteral("after"), relative}};
            state.hasMore = !pick(listFiles(), state).filePath().isEmpty();
        }
        state.totalProcessed += batch.size();
        ++state.page;
        ++state.iterationsInChunk;
        if (!incremental) // which files an incremental sync reads again is not known ahead
            estimateTotal(&state, listFiles(), rootDir);
        if (options.onBatch)
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, -1);
    }
    return state;
}
