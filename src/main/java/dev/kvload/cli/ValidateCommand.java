package dev.kvload.cli;

import dev.kvload.core.Validator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code kvload validate}: check the manifest offline. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Parse and check the manifest only: no credential, no network.")
public final class ValidateCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  public ValidateCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    Validator.validate(context.session(settings), settings);
    return 0;
  }
}
