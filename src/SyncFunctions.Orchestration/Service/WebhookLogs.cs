using Microsoft.Extensions.Logging;

namespace SyncFunctions.Orchestration.Service;

/// <summary>Log messages of change notifications and subscriptions (stable event ids 4100-4199). Never a clientState.</summary>
internal static partial class WebhookLogs
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Renewing subscription {SubscriptionId} of pair {Pair} failed: {Error}")]
    public static partial void RenewalFailed(ILogger logger, string subscriptionId, string pair, string error);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Subscribing pair {Pair} to change notifications failed: {Error}")]
    public static partial void SubscribeFailed(ILogger logger, string pair, string error);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Deleting subscription {SubscriptionId} failed: {Error}")]
    public static partial void DeleteFailed(ILogger logger, string subscriptionId, string error);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Starting a run of pair {Pair} on a change notification failed: {Error}")]
    public static partial void StartFailed(ILogger logger, string pair, string error);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Change notification: pair {Pair} run {RunId} {Kind}")]
    public static partial void Started(ILogger logger, string pair, string runId, string kind);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Debug, Message = "Ignored a notification for subscription {SubscriptionId}: {Why}")]
    public static partial void Ignored(ILogger logger, string subscriptionId, string why);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "Lifecycle event {LifecycleEvent} for subscription {SubscriptionId} of pair {Pair}")]
    public static partial void Lifecycle(ILogger logger, string lifecycleEvent, string subscriptionId, string pair);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "Handling the notifications of one webhook request failed: {Error}")]
    public static partial void NotificationsFailed(ILogger logger, string error);
}
