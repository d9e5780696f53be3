// libFuzzer: the JSON page scanner every connector reads API pages with.
#include "jsonscan.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView json(reinterpret_cast<const char *>(data), qsizetype(size));
    JsonScan::Result result;
    const JsonScan::Page page = JsonScan::scanPage(json, "data", {"id", "created", "updated_at"}, &result);
    for (const JsonScan::Item &item : page.items) {
        JsonScan::keyText(item.fields[0]);
        JsonScan::toValue(item.fields[1]);
    }
    JsonScan::scanPage(json, {}, {"id"}, &result);
    JsonScan::scanPage(json, "data.items", {"id"}, &result);
    JsonScan::members(json, &result);
    JsonScan::elements(json, &result);
    JsonScan::memberNames(json);
    const QByteArrayView id = JsonScan::member(json, "meta.next", &result);
    JsonScan::keyText(id);
    JsonScan::toValue(json);
    JsonScan::skipValue(json, 0);
    return 0;
}
