// The declarative REST manifest: a JSON file that describes a REST API well enough to sync it without C++
// (base URL, auth, entities, pagination, incremental cursor). See connectors/rest/README.md for the format.
// Parsed once on the main thread at start-up; immutable afterwards and shared by every job.
#pragma once

#include "connector.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>

struct RestAuth
{
    enum class Type { None, Bearer, Basic, ApiKey };
    Type type = Type::None;
    bool inQuery = false;  // api_key: sent as a query parameter instead of a header
    QString name;          // api_key: header or parameter name; bearer: header name
    QString prefix;        // text before the secret ("Bearer ", "token ")
    bool optional = false; // the API also works without credentials (lower limits)
    QString help;          // where to get the credential, shown in the form
};

struct RestPagination
{
    enum class Type { None, Page, Offset, Cursor, Link, NextUrl };
    Type type = Type::None;
    QString pageParam = QStringLiteral("page");
    int startPage = 1;
    QString offsetParam = QStringLiteral("offset");
    QString sizeParam;   // page-size parameter ("per_page", "limit"); empty: the API decides
    int maxPageSize = 0; // the API's cap on sizeParam; 0: no cap
    QString cursorParam = QStringLiteral("cursor");
    QString cursorPath;           // cursor: body path of the next cursor ("meta.next_cursor")
    QString nextUrlPath;          // next_url: body path of the next page's URL ("info.next")
    QString hasMorePath;          // optional body path of a "more pages" flag
    QString totalPath;            // optional body path of the total record count
    QString totalPagesPath;       // optional body path of the page count (page pagination)
    bool stopOnShortPage = false; // a page shorter than the page size is the last one
};

struct RestIncremental
{
    QString cursorField; // record field (dotted) whose largest value is remembered
    QString param;       // query parameter that receives it on the next run; empty: client-filter
    IncrementalMode mode = IncrementalMode::Native;
};

struct RestEntity
{
    QString name;
    QString label;
    QString description;
    QString path;           // appended to base_url; may hold {config_field} placeholders
    QString recordsPath;    // dotted path of the records array; empty: the body is the array
    QStringList primaryKey; // dotted paths; more than one: a composite key joined with '|'
    QList<QPair<QString, QString>> params;
    RestPagination pagination;
    bool hasIncremental = false;
    RestIncremental incremental;
};

struct RestManifest
{
    QString id;
    QString name;
    QString version = QStringLiteral("1.0.0");
    QString description;
    QString iconPath; // resolved: resource path or absolute file path; empty: the generic icon
    QString documentationUrl;
    QString baseUrl;
    RestAuth auth;
    QList<QPair<QByteArray, QByteArray>> headers;
    int rateLimitDelayMs = 0;
    QString testPath;         // connection test; empty: the first entity's first page
    QString errorMessagePath; // body path of the API's error text; empty: common shapes are tried
    ConfigSpec extraFields;   // manifest-defined settings, used as {name} placeholders
    QList<RestEntity> entities;
    QString sourceFile; // where the manifest came from (for messages)

    // The connector metadata of this manifest: its entities and the config spec its auth needs.
    ConnectorMetadata metadata() const;
    const RestEntity *entity(const QString &name) const;
};

// Parses a manifest. `file` names it in errors ("<file>: <field>: <reason>"); `iconResolver` turns the
// manifest's "icon" into a path (or returns empty with a reason). Returns nullptr when the manifest is
// unusable; `errors` may also receive warnings about a usable one (a missing icon).
std::shared_ptr<const RestManifest> parseRestManifest(const QByteArray &json, const QString &file,
                                                      QStringList *errors, bool requireId = true);
