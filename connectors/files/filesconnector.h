// Local files: CSV and JSON Lines files, or a folder of them. Each file (or glob of files) is an entity,
// defined by the connection's config (ConnectorMetadata::configEntities). Resumable by byte offset,
// incremental by file modification time. Works offline: the connector a new user can try first.
#pragma once

#include "connector.h"

#include <QFileInfo>

struct FileEntity
{
    enum class Format { Auto, Csv, JsonLines };
    QString name;
    QString label;
    QString glob; // relative to the folder ("orders/*.csv"), or the file itself
    Format format = Format::Auto;
    QString key;        // key column (CSV) or dotted field (JSONL); empty: a hash of the row
    char delimiter = 0; // CSV; 0: from the extension (.tsv: tab) or the setting
};

class FilesConnector : public BaseConnector
{
public:
    static ConnectorMetadata staticMetadata();
    // The entities of a config: those it lists, else one per CSV/JSONL file of the folder (or the file).
    static QList<FileEntity> entitiesFromConfig(const QJsonObject &config, QStringList *errors);
    // The connection's "column=type" overrides of inferred CSV column types.
    static QHash<QString, FieldType> columnTypesFromConfig(const QJsonObject &config, QStringList *errors);
    // The files of an entity, sorted by their path relative to the configured folder.
    static QList<QFileInfo> filesOf(const FileEntity &entity, const QJsonObject &config);

    QStringList validateConfig() const override;
    TestResult testConnection() override;
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override;
};
