using Study.Grains.Scheduling;

namespace Study.Grains.Running;

/// <summary>
/// One trial (key: study/trial), placed by <see cref="SlotPlacementDirector"/> on the silo whose slot the scheduler
/// reserved for it. The work runs on that silo's slot thread (<see cref="TrialRunner"/>); the grain keeps its
/// activation alive while it does, and lets it go when the attempt has ended.
/// </summary>
[SlotPlacement, CollectionAgeLimit(Minutes = 2)]
public sealed class TrialGrain(TrialRunner runner, RuntimeOptions runtime) : Grain, ITrialGrain
{
    static readonly TimeSpan WhileTraining = TimeSpan.FromDays(30);
    int attempt;

    public Task<bool> Start(TrialAssignment assignment)
    {
        Coordinator.StudySpecRules.CheckTrial(assignment, this.GetPrimaryKeyString());
        if (assignment.Study.DataDir is { } dir && runtime.DataRoots is { } roots
            && !roots.Any(root => CheckpointFiles.IsUnder(root, dir) || Path.GetFullPath(root) == Path.GetFullPath(dir).TrimEnd('/')))
            throw new ArgumentException($"--data-dir '{dir}' is outside the folders this silo reads data from (./silo --data-roots {string.Join(",", roots)})");
        // The call's span (with activity propagation: a child of the coordinator's "start trial") parents the attempt's.
        bool started = runner.TryStart(assignment, System.Diagnostics.Activity.Current?.Context ?? default);
        if (started)
        {
            attempt = assignment.Attempt;
            DelayDeactivation(WhileTraining);
        }
        else DeactivateOnIdle();
        return Task.FromResult(started);
    }

    public Task Cancel(int attempt)
    {
        runner.Cancel(this.GetPrimaryKeyString(), attempt);
        return Task.CompletedTask;
    }

    /// <summary>The attempt ended: the activation may now be collected when idle (not at once: deactivating costs
    /// directory traffic that a study of thousands of short trials would pay on its critical path).</summary>
    public Task Finished(int attempt)
    {
        // A late Finished of an earlier attempt must not end the keep-alive of the one running now.
        if (attempt == this.attempt) DelayDeactivation(TimeSpan.FromSeconds(-1));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A silo stopping gracefully: the trial checkpoints at its next step and reports itself interrupted, so the
        // coordinator moves it to another silo, losing at most one step.
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && !cancellationToken.IsCancellationRequested)
            await runner.Interrupt(this.GetPrimaryKeyString()).WaitAsync(cancellationToken).ContinueWith(_ => { }, CancellationToken.None);
    }
}
