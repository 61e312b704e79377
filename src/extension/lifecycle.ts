import type * as vscode from 'vscode';

/** A component that owns its disposables: everything it registers is released with it, in reverse order. */
export abstract class Component implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  protected register<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) {
      disposable.dispose();
    } else {
      this.owned.push(disposable);
    }
    return disposable;
  }

  /**
   * Work a component starts by itself (a first poll, restoring what the last window had, a first lint) runs after
   * activation, in a later task: activate() does nothing but registration. Skipped if the component is disposed first.
   */
  protected afterActivation(work: () => void): void {
    const handle = setImmediate(() => {
      if (!this.disposed) work();
    });
    this.register({ dispose: () => clearImmediate(handle) });
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed');
  }
}
