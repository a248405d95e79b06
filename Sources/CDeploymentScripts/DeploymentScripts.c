// The deployment scripts, compiled in from the files themselves so that there is one
// copy of each: `ipfailover demo` installs these when it runs away from a checkout.
// The compiler lists the embedded files as dependencies, so an edited script rebuilds
// this object.
#include "CDeploymentScripts.h"

// #embed is C23; the target builds in clang's default C17 mode, where it is an extension.
#pragma clang diagnostic ignored "-Wc23-extensions"

static const char check_script[] = {
#embed "../../deploy/kubernetes/scripts/mycheckscript.sh" suffix(,)
    0
};

static const char notify_script[] = {
#embed "../../deploy/kubernetes/scripts/mynotifyscript.sh" suffix(,)
    0
};

const char *ipf_deployment_check_script(void) { return check_script; }

const char *ipf_deployment_notify_script(void) { return notify_script; }
