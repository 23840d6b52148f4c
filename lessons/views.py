from django.shortcuts import render

from .models import Lesson


def index(request):
    lessons = Lesson.objects.published()
    return render(request, "lessons/index.html", {"lessons": lessons})
