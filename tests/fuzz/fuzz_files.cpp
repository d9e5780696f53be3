// libFuzzer: the files connector's CSV and JSON Lines readers, end to end: the input is written to a local
// file (CSV or JSONL by its first byte) and fetched chunk after chunk as a sync would.
#include "files/filesconnector.h"
#include "fuzzapp.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ensureFuzzApp();
    static QTemporaryDir dir;
    if (size == 0)
        return 0;
    const bool jsonl = data[0] & 1;
    const QString path = dir.filePath(jsonl ? QStringLiteral("data.jsonl") : QStringLiteral("data.csv"));
    QFile::remove(dir.filePath(QStringLiteral("data.jsonl")));
    QFile::remove(dir.filePath(QStringLiteral("data.csv")));
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return 0;
        file.write(reinterpret_cast<const char *>(data) + 1, qint64(size - 1));
    }
    const ConnectorMetadata base = FilesConnector::staticMetadata();
    const QJsonObject config{{QStringLiteral("path"), path}, {QStringLiteral("batch_size"), 7}};
    QString error;
    const ConnectorMetadata metadata = base.forConfig(config, &error);
    for (const EntityInfo &entity : metadata.entities) {
        FilesConnector connector;
        connector.setup(metadata, config, CancelToken());
        ResumableFetchOptions options;
        options.entity = entity.name;
        options.batchSize = 7;
        options.maxIterations = 1;
        options.onBatch = [](RecordBatch &&) {};
        try {
            for (int chunk = 0; chunk < 64 && options.state.hasMore; ++chunk)
                options.state = connector.fetchEntityChunk(options);
        } catch (const ConnectorError &) {
        }
    }
    return 0;
}
