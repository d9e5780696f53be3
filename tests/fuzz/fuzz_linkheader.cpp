// libFuzzer: GitHub's Link-header parser, which decides the next page and keeps the token on the configured
// host.
#include "github/githubconnector.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QUrl base(QStringLiteral("https://api.github.com"));
    const QUrl next = GitHubConnector::parseNextLink(
        QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)), base);
    // Whatever the header says, a next page is only ever asked of the configured host.
    if (next.isValid() && !next.isEmpty() && (next.host() != base.host() || next.scheme() != base.scheme()))
        __builtin_trap();
    return 0;
}
