using Nehr.Core.Oversight;
using Nehr.Portal.Components.Admin;

namespace Nehr.Portal.Tests;

public class OverrideReviewFormTests : MudTestContext
{
    private readonly List<(bool Appropriate, string? Findings, bool Refer)> _submitted = [];

    private IRenderedComponent<OverrideReviewForm> RenderForm(string? answer = null) =>
        Render<OverrideReviewForm>(p => p.Add(f => f.Submit, (appropriate, findings, refer) =>
        {
            _submitted.Add((appropriate, findings, refer));
            return Task.FromResult(answer);
        }));

    private static void Choose(IRenderedComponent<OverrideReviewForm> form, string testId) =>
        form.Find($"input[data-testid={testId}]").Click();

    [Fact]
    public void A_verdict_must_be_chosen()
    {
        var form = RenderForm();

        form.Find("[data-testid=submit-review]").Click();

        Assert.Equal("Choose a verdict: appropriate or inappropriate.", form.Find("[data-testid=verdict-error]").TextContent);
        Assert.Empty(_submitted);
    }

    [Fact]
    public void An_inappropriate_verdict_needs_findings_and_may_be_referred()
    {
        var form = RenderForm();
        Choose(form, "verdict-inappropriate");

        form.Find("[data-testid=submit-review]").Click();
        Assert.Contains("Record the findings", form.Markup, StringComparison.Ordinal);
        Assert.Empty(_submitted);

        form.Find("textarea[data-testid=findings]").Change("No emergency: the patient was conscious and consenting.");
        form.Find("input[data-testid=refer]").Change(true);
        form.Find("[data-testid=submit-review]").Click();

        var sent = Assert.Single(_submitted);
        Assert.False(sent.Appropriate);
        Assert.True(sent.Refer);
        Assert.StartsWith("No emergency", sent.Findings, StringComparison.Ordinal);
    }

    [Fact]
    public void An_appropriate_verdict_is_never_sent_as_a_referral()
    {
        var form = RenderForm();
        Choose(form, "verdict-inappropriate");
        form.Find("input[data-testid=refer]").Change(true);
        Choose(form, "verdict-appropriate");

        form.Find("[data-testid=submit-review]").Click();

        var sent = Assert.Single(_submitted);
        Assert.True(sent.Appropriate);
        Assert.False(sent.Refer);
    }

    [Fact]
    public void A_refusal_from_the_server_is_shown()
    {
        var form = RenderForm("This override has already been reviewed.");
        Choose(form, "verdict-appropriate");

        form.Find("[data-testid=submit-review]").Click();

        Assert.Equal("This override has already been reviewed.", form.Find("[data-testid=review-error]").TextContent.Trim());
    }
}

public class DirectiveCardTests : MudTestContext
{
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    private static DirectiveRow Row(DirectiveStatus status, bool overdue = false) => new(
        7, 3, "Central General Hospital", DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for pre-employment checks.",
        Now, Now.AddDays(7), status, overdue, status == DirectiveStatus.Issued ? null : Now.AddDays(1),
        status == DirectiveStatus.Done ? "Screening stopped and staff retrained." : null, status == DirectiveStatus.Done ? Now.AddDays(2) : null);

    [Theory]
    [InlineData(DirectiveStatus.Issued, false, "Awaiting acknowledgement")]
    [InlineData(DirectiveStatus.Issued, true, "Overdue")]
    [InlineData(DirectiveStatus.Acknowledged, true, "Overdue")]
    [InlineData(DirectiveStatus.Done, false, "Done")]
    public void The_status_says_where_the_directive_stands(DirectiveStatus status, bool overdue, string expected)
    {
        var card = Render<DirectiveCard>(p => p.Add(c => c.Row, Row(status, overdue)));

        Assert.Equal(expected, card.Find("[data-testid=directive-status]").TextContent.Trim());
        Assert.Empty(card.FindAll("button"));
    }

    [Fact]
    public void The_provider_acknowledges_an_issued_directive()
    {
        long? acknowledged = null;
        var card = Render<DirectiveCard>(p => p
            .Add(c => c.Row, Row(DirectiveStatus.Issued))
            .Add(c => c.CanAct, true)
            .Add(c => c.Acknowledge, id =>
            {
                acknowledged = id;
                return Task.FromResult<string?>(null);
            }));

        Assert.Empty(card.FindAll("[data-testid=attest]"));
        card.Find("[data-testid=acknowledge]").Click();

        Assert.Equal(7, acknowledged);
    }

    [Fact]
    public void An_attestation_needs_a_real_description()
    {
        string? attested = null;
        var card = Render<DirectiveCard>(p => p
            .Add(c => c.Row, Row(DirectiveStatus.Acknowledged))
            .Add(c => c.CanAct, true)
            .Add(c => c.Attest, (_, text) =>
            {
                attested = text;
                return Task.FromResult<string?>(null);
            }));

        card.Find("textarea[data-testid=attestation]").Change("done");
        card.Find("[data-testid=attest]").Click();
        Assert.Contains("at least 20 characters", card.Find("[data-testid=directive-error]").TextContent, StringComparison.Ordinal);
        Assert.Null(attested);

        card.Find("textarea[data-testid=attestation]").Change("  Screening stopped; staff retrained on NEHR use.  ");
        card.Find("[data-testid=attest]").Click();
        Assert.Equal("Screening stopped; staff retrained on NEHR use.", attested);
    }
}
