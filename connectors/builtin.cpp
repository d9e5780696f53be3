// Every compiled-in connector, listed explicitly: adding one is its folder plus one line here.
#include "connectorregistry.h"

#include "close/closeconnector.h"
#include "github/githubconnector.h"
#include "posthog/posthogconnector.h"
#include "stripe/stripeconnector.h"

void registerBuiltinConnectors()
{
    auto &registry = ConnectorRegistry::instance();
    registry.add(StripeConnector::staticMetadata(), [] { return std::make_unique<StripeConnector>(); });
    registry.add(CloseConnector::staticMetadata(), [] { return std::make_unique<CloseConnector>(); });
    registry.add(GitHubConnector::staticMetadata(), [] { return std::make_unique<GitHubConnector>(); });
    registry.add(PostHogConnector::staticMetadata(), [] { return std::make_unique<PostHogConnector>(); });
}
