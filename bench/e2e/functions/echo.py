"""The pure-Python echo handler, `echo.handler`: the floor every system is compared with.

awslambdaric decodes the event with simplejson, this returns the same object, awslambdaric
encodes it again: the runtime client's own cost and nothing else.
"""


def handler(event, context):
    return event
