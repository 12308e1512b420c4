
namespace Nehr.Portal.Hosting;

/// <summary>
/// Limits sign-in attempts (and the other account forms that take a secret or reveal nothing but still cost a
/// password hash) per client address: beyond <see cref="PermitsPerMinute"/> a minute, 429 with Retry-After. The
/// per-account lockout after five failures is Identity's; this stops one address from trying many accounts.
/// <c>Nehr:Security:SignInsPerMinute</c> sets the limit.
/// </summary>
internal static class SignInRateLimit
{
    public const int PermitsPerMinute = 20;
    public const string Setting = "Nehr:Security:SignInsPerMinute";

    private static readonly string[] Paths =
        ["/Account/Login", "/Account/LoginWith2fa", "/Account/LoginWithRecoveryCode", "/Account/ForgotPassword", "/Account/ResetPassword"];

    public static IApplicationBuilder UseNehrSignInRateLimit(this IApplicationBuilder app)
    {
        var permits = app.ApplicationServices.GetRequiredService<IConfiguration>().GetValue(Setting, PermitsPerMinute);
        if (permits < 1)
        {
            throw new InvalidOperationException($"{Setting} must be at least 1.");
        }

        var limiter = RateLimits.PerMinute<string>(permits);
        return app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && Paths.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
            {
                using var lease = limiter.AttemptAcquire(context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
                if (!lease.IsAcquired)
                {
                    var seconds = RateLimits.Refuse(context, lease);
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync(
                        $"Too many sign-in attempts from your address. Wait {seconds} seconds and try again.", context.RequestAborted);
                    return;
                }
            }

            await next();
        });
    }
}
